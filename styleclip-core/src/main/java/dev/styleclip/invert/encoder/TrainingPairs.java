package dev.styleclip.invert.encoder;

import dev.styleclip.check.Checks;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The (latent, image) pairs a generator makes for encoder training, a pure function of (seed, step): per sample two z
 * mapped to w, style-mixed with probability {@code mixing} at a crossover row drawn from [1, n_latent - 1] (rows
 * before it from the first w, as rosinality's {@code mixing_noise}), truncated towards the mean latent by
 * {@code truncation}, then every row moved by its own Gaussian offset of {@code jitter} times the spread of w (so the
 * rows of a code differ as those of an inverted real image do); the image is the generator's with its constant noise.
 * The random numbers come from a {@link Random} seeded from (seed, step), never from torch's global generator.
 */
public final class TrainingPairs {
    /** Seed of the z whose w measure the generator's spread ({@link #spread}). */
    static final long SPREAD_SEED = 1001;
    static final int SPREAD_SAMPLES = 1000;

    /**
     * One batch.
     *
     * @param latents W+ [B, n_latent, style_dim]
     * @param images  the generator's images of them [B, 3, size, size], in [-1, 1] nominally
     */
    public record Pair(Tensor latents, Tensor images) {
    }

    private final Generator g;
    private final int batch;
    private final long seed;
    private final double mixing;
    private final double jitter;
    private final double truncation;
    private final double spread;

    /**
     * @param g          the generator (borrowed)
     * @param batch      pairs per step
     * @param seed       the seed of every step's random numbers
     * @param mixing     probability that a sample is style-mixed, in [0, 1]
     * @param jitter     per-row Gaussian offset, in units of the spread of w; 0 = none
     * @param truncation psi in (0, 1]; 1 = none
     */
    public TrainingPairs(Generator g, int batch, long seed, double mixing, double jitter, double truncation) {
        this.g = g;
        this.batch = Checks.atLeast("batch", batch, 1);
        this.seed = seed;
        this.mixing = Checks.closed("mixing", mixing, 0, 1);
        this.jitter = Checks.nonNegative("jitter", jitter);
        this.truncation = Checks.openClosed("truncation", truncation, 0, 1);
        this.spread = spread(g);
    }

    /**
     * The spread of the generator's w: the root mean square distance of w from its mean, per coordinate, over
     * {@value #SPREAD_SAMPLES} z drawn from seed {@value #SPREAD_SEED}.
     */
    static double spread(Generator g) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor w = g.mapping(gaussians(new Random(SPREAD_SEED), SPREAD_SAMPLES, g.config().styleDim())); // [N, D]
            Tensor centred = w.sub(w.mean(new long[] {0}, true, new ScalarTypeOptional()));
            return Math.sqrt(centred.square().mean().item_double());
        }
    }

    /** The spread of w that the jitter is measured in. */
    public double spread() {
        return spread;
    }

    /** The pairs of training step {@code step}; no gradients. */
    public Pair batch(long step) {
        int l = g.config().nLatent(), d = g.config().styleDim();
        Random rnd = new Random(stepSeed(seed, step));
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor w1 = g.mapping(gaussians(rnd, batch, d)).unsqueeze(1); // [B, 1, D]
            Tensor w2 = g.mapping(gaussians(rnd, batch, d)).unsqueeze(1); // [B, 1, D]
            float[] first = new float[batch * l]; // 1 where a row takes the first w
            for (int b = 0; b < batch; b++) {
                int crossover = mixing > 0 && rnd.nextDouble() < mixing ? 1 + rnd.nextInt(l - 1) : l;
                for (int r = 0; r < crossover; r++) first[b * l + r] = 1;
            }
            Tensor mask = Tensors.floats(first, batch, l, 1);
            Tensor w = w2.add(w1.sub(w2).mul(mask)); // [B, L, D]
            w = g.truncate(w, truncation);
            if (jitter > 0) w = w.add(gaussians(rnd, batch * l, d).view(batch, l, d).mul(new Scalar(jitter * spread)));
            return new Pair(w, g.synthesize(w, NoiseMode.CONST));
        }
    }

    private static Tensor gaussians(Random rnd, int n, int d) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Tensors.floats(v, n, d);
    }

    /** The seed of a step's random numbers (a SplitMix-style mix of the run's seed and the step). */
    static long stepSeed(long seed, long step) {
        long x = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        return x;
    }
}
