package dev.styleclip.invert;

/** Where the noise maps an inversion optimizes start from. */
public enum NoiseStart {
    /** The checkpoint's own buffers {@code noises.noise_i}, as {@code NoiseMode.CONST} synthesizes with them. */
    BUFFERS,
    /** Fresh standard-normal maps drawn from the run's seed (projector.py's {@code make_noise().normal_()}). */
    RANDOM
}
