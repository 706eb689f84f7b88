package dev.styleclip.invert;

import dev.styleclip.check.SettingException;

/** How a picture becomes a latent. */
public enum InversionMethod {
    /** Optimization of a latent and the noise maps against the picture ({@link Projector}). */
    OPTIMIZE("optimize"),
    /** One pass of an encoder network. */
    ENCODER("encoder"),
    /** An encoder's latent as the start of the optimization. */
    ENCODER_OPTIMIZE("encoder+optimize");

    private final String label;

    InversionMethod(String label) {
        this.label = label;
    }

    /** As the command line and provenance spell it. */
    public String label() {
        return label;
    }

    /** {@code optimize}, {@code encoder} or {@code encoder+optimize}. */
    public static InversionMethod parse(String setting, String value) {
        for (InversionMethod m : values()) if (m.label.equals(value)) return m;
        throw new SettingException(setting, "must be optimize, encoder or encoder+optimize, not " + value);
    }
}
