package dev.styleclip.invert.encoder;

import dev.styleclip.stylegan2.Ops;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * One map-to-style head: {@code GradualStyleBlock(in_c, out_c, spatial)} in e4e's models/encoders/psp_encoders.py.
 * <pre>
 *   convs  = [Conv2d(in_c, out_c, 3, stride 2, pad 1), LeakyReLU()] + [Conv2d(out_c, out_c, 3, 2, 1), LeakyReLU()] * (n - 1)
 *            (n = int(log2(spatial)), keys convs.0, convs.2, ...: weight and bias)
 *   linear = EqualLinear(out_c, out_c, lr_mul=1)           (keys linear.weight, linear.bias)
 *   out    = linear(convs(x).view(-1, out_c))
 * </pre>
 * The convs take the spatial x spatial map to 1 x 1; out_c is the generator's style_dim.
 */
final class GradualStyleBlock {
    private final Tensor[] weights; // [out, in, 3, 3]
    private final Tensor[] biases; // [out]
    private final Tensor linearWeight; // [out, out]
    private final Tensor linearBias; // [out]
    private final int inChannels;
    private final int outChannels;
    private final int spatial;

    GradualStyleBlock(Weights w, String prefix, int inChannels, int outChannels, int spatial, int convs) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.spatial = spatial;
        weights = new Tensor[convs];
        biases = new Tensor[convs];
        for (int i = 0; i < convs; i++) {
            // nn.Sequential indices: conv i at 2 i, its LeakyReLU (no weights) at 2 i + 1
            weights[i] = w.parameter(prefix + "convs." + (2 * i) + ".weight", outChannels, i == 0 ? inChannels : outChannels, 3, 3);
            biases[i] = w.parameter(prefix + "convs." + (2 * i) + ".bias", outChannels);
        }
        linearWeight = w.parameter(prefix + "linear.weight", outChannels, outChannels);
        linearBias = w.parameter(prefix + "linear.bias", outChannels);
    }

    /** @param x [B, in_c, spatial, spatial] -> [B, out_c] */
    Tensor forward(Tensor x) {
        Tensors.checkShape("style head input", x, -1, inChannels, spatial, spatial);
        Tensor h = x;
        for (int i = 0; i < weights.length; i++) h = EncoderOps.leakyRelu(EncoderOps.conv2d(h, weights[i], biases[i], 2));
        h = h.reshape(-1, outChannels); // [B, out_c, 1, 1] -> [B, out_c]
        return Ops.equalLinear(h, linearWeight, linearBias, 1.0, false);
    }
}
