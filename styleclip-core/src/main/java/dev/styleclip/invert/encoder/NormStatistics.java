package dev.styleclip.invert.encoder;

/**
 * Which statistics the encoder's BatchNorm layers normalise with: torch's {@code module.train()} and
 * {@code module.eval()}.
 */
public enum NormStatistics {
    /** Training: each batch's own mean and variance, and the running averages updated (momentum 0.1). */
    BATCH,
    /** Inference: the running averages, so that an image's code does not depend on the rest of its batch. */
    RUNNING
}
