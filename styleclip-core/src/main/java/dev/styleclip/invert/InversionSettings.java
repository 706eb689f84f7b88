package dev.styleclip.invert;

import dev.styleclip.check.Checks;
import java.nio.file.Path;

/**
 * How {@code StyleClip.invert} turns a picture into a latent.
 *
 * @param method    optimization, an encoder's one forward pass, or the encoder's latent refined by optimization
 * @param projector the optimization's settings ({@link InversionMethod#OPTIMIZE} and
 *                  {@link InversionMethod#ENCODER_OPTIMIZE}; unused by {@link InversionMethod#ENCODER})
 * @param encoder   the encoder file of the encoder methods, or null for the bundled encoder (bundled generator only)
 */
public record InversionSettings(InversionMethod method, Projector.Settings projector, Path encoder) {
    public InversionSettings {
        Checks.given("method", method);
        Checks.given("projector", projector);
    }

    /** Optimization with {@code projector}. */
    public static InversionSettings optimize(Projector.Settings projector) {
        return new InversionSettings(InversionMethod.OPTIMIZE, projector, null);
    }

    /** Whether the method runs an encoder. */
    public boolean usesEncoder() {
        return method != InversionMethod.OPTIMIZE;
    }

    /** Whether the method runs the optimization. */
    public boolean optimizes() {
        return method != InversionMethod.ENCODER;
    }
}
