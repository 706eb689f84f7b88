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
 */
public record InversionPreset(String name, InversionSpace space, int steps, double lr, double mse, double ssim, double clipFeatures,
                              double idWithArcface) {
    /** The bundled 64-px generator. */
    public static final InversionPreset BUNDLED = new InversionPreset("bundled", InversionSpace.W, 300, 0.1, 1, 1, 1, 0);

    /**
     * A published generator: projector.py's 1000 steps in W at lr 0.1; the image loss as measured on the bundled set, and
     * the identity loss at e4e's weight for faces (0.1) when IR-SE50 weights are given.
     */
    public static final InversionPreset PUBLISHED = new InversionPreset("published", InversionSpace.W, 1000, 0.1, 1, 1, 1, 0.1);

    /** The loss weights, with the identity term only when {@code arcface} (IR-SE50 weights are given). */
    public InversionLoss.Weights weights(boolean arcface) {
        return new InversionLoss.Weights(mse, ssim, clipFeatures, arcface ? idWithArcface : 0);
    }

    /** The projector's settings (projector.py's latent noise, noise regularizer and schedule), seed 0. */
    public Projector.Settings settings(boolean arcface) {
        return Projector.Settings.of(space, steps, lr, weights(arcface));
    }
}
