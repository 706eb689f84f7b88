package dev.styleclip.stylegan2;

/**
 * How synthesis keeps its feature maps in memory. Both give the same image up to float rounding (a test holds the
 * two to each other); oneDNN's convolutions, the transposed conv and the depthwise blur run several times faster on
 * NHWC on this CPU ({@code styleclip bench synth} prints both).
 */
public enum MemoryFormat {
    /** Plain contiguous NCHW, the reference's layout. */
    NCHW,
    /** Channels-last (NHWC) strides for the same [N, C, H, W] tensors ({@code torch.channels_last}). */
    CHANNELS_LAST
}
