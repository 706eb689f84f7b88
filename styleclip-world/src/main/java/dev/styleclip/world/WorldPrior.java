package dev.styleclip.world;

/**
 * The world as a function of a generator latent: which portrait a z in N(0, I) stands for. The latent is read as the
 * mapping network reads it, after PixelNorm (so z and 2z stand for the same portrait); then the first
 * {@link WorldSampler#ATTRIBUTE_SLOTS} coordinates decide the attributes and the next
 * {@link WorldSampler#NUISANCE_SLOTS} the nuisance parameters, each through the normal CDF (so z_i ~ N(0, 1)
 * gives a uniform, and the attributes have exactly {@link WorldSampler}'s distribution); further coordinates
 * decide nothing. The generator's portraits stand in a canonical pose: the geometric nuisance (head width and
 * height, offsets, hair length) is fixed at {@link Nuisance#NONE}'s, so those four slots (and the hair-length one)
 * decide nothing either; colours, clothes and shade still vary. A convolutional generator learns sub-pixel shifts
 * from a style code slowly and, until it has, blurs every edge over the range of shifts; without them its
 * portraits come out sharp far sooner (the CLIP and the classifier still learn on renders in every pose). The
 * bundled generator is trained to draw, for each z, the render of {@code sample(z)} (see
 * {@code dev.styleclip.train.gan.RenderDistillation}), so its samples carry known attributes.
 */
public final class WorldPrior {
    /** Coordinates of z that decide something. */
    public static final int USED_DIMENSIONS = WorldSampler.ATTRIBUTE_SLOTS + WorldSampler.NUISANCE_SLOTS;
    /**
     * The first nuisance slot that still varies in the generator's canonical pose (colour jitter, background
     * jitter, clothes hue, shade); slots 0-4 (head size, offsets, hair length) are fixed.
     */
    public static final int FIRST_POSED_NUISANCE = 5;

    private WorldPrior() {
    }

    /** The portrait that latent {@code z} (at least {@link #USED_DIMENSIONS} long) stands for. */
    public static WorldSample sample(float[] z, long seed) {
        return sampleOfUniforms(uniforms(z), seed);
    }

    /** The portrait that {@link #USED_DIMENSIONS} uniforms decide (what {@link #uniforms} makes of a latent). */
    public static WorldSample sampleOfUniforms(double[] u, long seed) {
        if (u.length != USED_DIMENSIONS) throw new IllegalArgumentException("need " + USED_DIMENSIONS + " uniforms, got " + u.length);
        double[] a = java.util.Arrays.copyOfRange(u, 0, WorldSampler.ATTRIBUTE_SLOTS);
        double[] n = java.util.Arrays.copyOfRange(u, WorldSampler.ATTRIBUTE_SLOTS, USED_DIMENSIONS);
        WorldSample s = WorldSampler.fromUniforms(seed, a, n);
        Nuisance v = s.nuisance(), c = Nuisance.NONE;
        Nuisance posed = new Nuisance(c.faceWidth(), c.faceHeight(), c.offsetX(), c.offsetY(), c.hairLength(),
                v.colorJitter(), v.backgroundJitter(), v.clothesHue(), v.shade());
        return new WorldSample(s.seed(), s.attributes(), posed);
    }

    /**
     * The {@link #USED_DIMENSIONS} uniforms that {@code z} decides: the attribute slots, then the nuisance slots, each
     * the normal CDF of a coordinate of PixelNorm(z).
     */
    public static double[] uniforms(float[] z) {
        if (z.length < USED_DIMENSIONS) {
            throw new IllegalArgumentException("a world latent needs at least " + USED_DIMENSIONS + " dimensions, got " + z.length);
        }
        // as the mapping network sees z: PixelNorm, z * rsqrt(mean(z^2) + 1e-8). Deciding on raw coordinates would
        // make every attribute near a threshold a coin toss for the generator (|z| varies by ~6% at 128 dimensions).
        double sq = 0;
        for (float v : z) sq += (double) v * v;
        double scale = 1 / Math.sqrt(sq / z.length + 1e-8);
        double[] u = new double[USED_DIMENSIONS];
        for (int i = 0; i < u.length; i++) u[i] = normalCdf(z[i] * scale);
        return u;
    }

    /** Phi(x), to about 1e-7 (Abramowitz and Stegun 7.1.26 for erf), clamped into [0, 1). */
    public static double normalCdf(double x) {
        double t = Math.abs(x) / Math.sqrt(2);
        double k = 1 / (1 + 0.3275911 * t);
        double poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
        double erf = 1 - poly * Math.exp(-t * t);
        double phi = 0.5 * (1 + Math.signum(x) * erf);
        return Math.min(Math.max(phi, 0), Math.nextDown(1.0));
    }
}
