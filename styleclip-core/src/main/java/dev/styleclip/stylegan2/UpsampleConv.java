package dev.styleclip.stylegan2;

/**
 * Two equal formulations of the upsampling modulated conv (stride-2 transposed 3x3 conv, then blur).
 * Both give the same image up to float rounding; a test holds {@link #POLYPHASE} to {@link #TRANSPOSED}.
 *
 * <p>PyTorch 1.13 runs the transposed conv on a slow generic CPU kernel, which is why the polyphase form was
 * written. libtorch 2.10 does not: measured layer by layer here (interleaved runs, 512 ch at 32 px to 64 ch at
 * 256 px) the transposed conv is as fast or up to 1.7x faster, forward and backward, so it is the default;
 * {@code styleclip bench synth} prints both.
 */
public enum UpsampleConv {
    /** The reference's {@code conv_transpose2d(stride=2)}. */
    TRANSPOSED,
    /**
     * The same transposed conv split into its four output phases: one ordinary 2x2 conv with 4x the output
     * channels, then {@code pixel_shuffle}. Stays on the fast convolution kernels.
     */
    POLYPHASE
}
