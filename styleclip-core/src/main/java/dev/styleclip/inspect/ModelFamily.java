package dev.styleclip.inspect;

/** The model families this tool recognises in a checkpoint. */
public enum ModelFamily {
    STYLEGAN2_GENERATOR("StyleGAN2 generator (rosinality layout)"),
    CLIP("CLIP"),
    IR_SE50("IR-SE ArcFace backbone"),
    STYLECLIP_MAPPER("StyleCLIP latent mapper"),
    TENSOR("a single tensor"),
    UNKNOWN("unknown");

    public final String description;

    ModelFamily(String description) {
        this.description = description;
    }
}
