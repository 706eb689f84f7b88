package dev.styleclip.invert;

import dev.styleclip.check.SettingException;

/** The latent an inversion optimizes; either way the result is a W+ latent. */
public enum InversionSpace {
    /** One w, the same on every W+ row (projector.py without {@code --w_plus}). */
    W,
    /** A w per W+ row (projector.py's {@code --w_plus}): closer reconstructions, latents further from the generator's own. */
    W_PLUS;

    /** {@code w} or {@code w+}; anything else is a {@link SettingException} naming {@code setting}. */
    public static InversionSpace parse(String setting, String value) {
        return switch (value) {
            case "w" -> W;
            case "w+" -> W_PLUS;
            default -> throw new SettingException(setting, "must be w or w+, not " + value);
        };
    }

    /** As the command line spells it. */
    public String label() {
        return this == W ? "w" : "w+";
    }
}
