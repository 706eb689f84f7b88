package dev.styleclip.stylegan2;

/** Where the per-layer noise of the synthesis comes from. */
public enum NoiseMode {
    /** The checkpoint's fixed buffers {@code noises.noise_i} (the reference's randomize_noise=False). */
    CONST,
    /** Fresh Gaussian noise on every call (the reference's default, randomize_noise=True). */
    RANDOM,
    /** No noise at all. */
    ZERO
}
