package dev.styleclip.stylegan2;

/**
 * Two equal formulations of the upsampling modulated conv (stride-2 transposed 3x3 conv, then blur).
 * Both give the same image up to float rounding; a test holds {@link #POLYPHASE} to {@link #TRANSPOSED}.
 */
public enum UpsampleConv {
    /** The reference's {@code conv_transpose2d(stride=2)}; on CPU libtorch runs it on a slow generic path. */
    TRANSPOSED,
    /**
     * The same transposed conv split into its four output phases: one ordinary 2x2 conv with 4x the output
     * channels, then {@code pixel_shuffle}. Stays on the fast convolution kernels.
     */
    POLYPHASE
}
