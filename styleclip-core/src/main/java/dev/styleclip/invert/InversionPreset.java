package dev.styleclip.invert;

/**
 * Inversion's default settings for a kind of generator, in one place for every front end (the command line's
 * {@code invert}, the Java API).
 *
 * @param name          how the preset is named in help and provenance
 * @param space         the latent that moves
 * @param steps         Adam steps
 * @param lr            peak learning rate
 * @param mse           weight of the pixel MSE
 * @param ssim          weight of 1 - SSIM
 * @param clipFeatures  weight of the CLIP-feature distance
 * @param idWithArcface weight of the identity loss when IR-SE50 weights are given (0 without them)
 * @param refineSteps   steps of {@code encoder+optimize}, which starts from the encoder's latent in W+
 * @param refineLr      its peak learning rate (lower than {@code lr}: the start is close already)
 */
public record InversionPreset(String name, InversionSpace space, int steps, double lr, double mse, double ssim, double clipFeatures,
                              double idWithArcface, int refineSteps, double refineLr) {
    /** The bundled 64-px generator. */
    public static final InversionPreset BUNDLED = new InversionPreset("bundled", InversionSpace.W, 300, 0.1, 1, 1, 1, 0, 100, 0.01);

    /**
     * A published generator: projector.py's 1000 steps in W at lr 0.1; the image loss as measured on the bundled set, and
     * the identity loss at e4e's weight for faces (0.1) when IR-SE50 weights are given.
     */
    public static final InversionPreset PUBLISHED = new InversionPreset("published", InversionSpace.W, 1000, 0.1, 1, 1, 1, 0.1, 200, 0.01);

    /** The loss weights, with the identity term only when {@code arcface} (IR-SE50 weights are given). */
    public InversionLoss.Weights weights(boolean arcface) {
        return new InversionLoss.Weights(mse, ssim, clipFeatures, arcface ? idWithArcface : 0);
    }

    /** The projector's settings (projector.py's latent noise, noise regularizer and schedule), seed 0. */
    public Projector.Settings settings(boolean arcface) {
        return Projector.Settings.of(space, steps, lr, weights(arcface));
    }

    /**
     * The projector's settings for {@code method}: {@link #settings} for optimization; for {@code encoder+optimize}
     * W+ from the encoder's latent, {@link #refineSteps} at {@link #refineLr} without latent noise (the start is a
     * good one: noise would only move it away).
     */
    public Projector.Settings settings(InversionMethod method, boolean arcface) {
        if (method != InversionMethod.ENCODER_OPTIMIZE) return settings(arcface);
        return Projector.Settings.of(InversionSpace.W_PLUS, refineSteps, refineLr, weights(arcface)).withLatentNoise(0);
    }

    /** Inversion settings of {@code method} with this preset's values (the bundled encoder for the encoder methods). */
    public InversionSettings inversion(InversionMethod method, boolean arcface) {
        return new InversionSettings(method, settings(method, arcface), null);
    }
}
