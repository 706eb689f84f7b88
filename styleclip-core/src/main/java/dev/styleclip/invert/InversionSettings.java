package dev.styleclip.invert;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;

/**
 * How {@code StyleClip.invert} turns a picture into a latent.
 *
 * @param method    optimization (the only method without an encoder network; {@link InversionMethod#ENCODER} and
 *                  {@link InversionMethod#ENCODER_OPTIMIZE} need an encoder, which these settings cannot name yet)
 * @param projector the optimization's settings
 */
public record InversionSettings(InversionMethod method, Projector.Settings projector) {
    public InversionSettings {
        Checks.given("method", method);
        Checks.given("projector", projector);
        if (method != InversionMethod.OPTIMIZE) throw new SettingException("method", method.label() + " needs an encoder (--encoder E.pt)");
    }

    /** Optimization with {@code projector}. */
    public static InversionSettings optimize(Projector.Settings projector) {
        return new InversionSettings(InversionMethod.OPTIMIZE, projector);
    }
}
