package dev.styleclip.tensor;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code conv2d} and {@code conv_transpose2d} clear of a libtorch 2.10 (oneDNN, float32, CPU) defect: at channel
 * counts that are not multiples of 32, its NCHW convolutions can give wrong results. Measured here against float64
 * (on a heap holding old NaNs): forward results wrong or NaN for batched 3x3 convs with 17 or 33 input channels;
 * input gradients wrong for batched 3x3 convs with 3 to 8 output channels or 24 input channels, for stride-2 3x3
 * convs with 48 input channels, for a 4x4 stride-4 patch conv with 24 outputs even at batch 1, and for transposed
 * convs with 17 output channels. Padding channels to a multiple of 16, folding the batch into groups and running one
 * sample at a time each still failed somewhere; the same convs on channels-last (NHWC) tensors were right in every
 * shape measured. So unaligned convs run channels-last (results handed back NCHW); aligned ones (every wide layer of
 * the published models) and grouped or depthwise ones are passed on unchanged. {@code ConvTest} scans the shapes,
 * forward and both gradients, against float64.
 */
public final class Conv {
    static final int ALIGN = 32;

    private Conv() {
    }

    /** As {@code torch.conv2d(x, w, bias, stride, padding, dilation 1, groups)}; {@code bias} may be null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, long[] stride, long[] padding, long groups) {
        long n = x.size(0), in = w.size(1), out = w.size(0);
        long[] dilation = {1, 1};
        if (groups != 1 || (in % ALIGN == 0 && out % ALIGN == 0)) {
            return torch.conv2d(x, w, bias == null ? new TensorOptional() : new TensorOptional(bias), stride, padding, dilation, groups);
        }
        Tensor y = torch.conv2d(x.contiguous(torch.MemoryFormat.ChannelsLast), w.contiguous(torch.MemoryFormat.ChannelsLast),
                new TensorOptional(), stride, padding, dilation, 1).contiguous();
        return bias == null ? y : y.add(bias.view(1, out, 1, 1));
    }

    /**
     * As {@code torch.conv_transpose2d(x, w, no bias, stride, padding 0, output padding 0, groups 1, dilation 1)} with
     * {@code w} [in, out, kh, kw]; channels-last at unaligned channel counts, as {@link #conv2d}.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, long[] stride) {
        long in = w.size(0), out = w.size(1);
        long[] zero = {0, 0};
        if (in % ALIGN == 0 && out % ALIGN == 0) {
            return torch.conv_transpose2d(x, w, new TensorOptional(), stride, zero, zero, 1, 1, 1);
        }
        return torch.conv_transpose2d(x.contiguous(torch.MemoryFormat.ChannelsLast), w.contiguous(torch.MemoryFormat.ChannelsLast),
                new TensorOptional(), stride, zero, zero, 1, 1, 1).contiguous();
    }
}
