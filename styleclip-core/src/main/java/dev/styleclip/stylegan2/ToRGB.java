package dev.styleclip.stylegan2;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * 1x1 modulated conv to RGB without demodulation, plus bias, plus the upsampled skip image
 * (upfirdn2d up 2, pad (2, 1), kernel [1,3,3,1] x 4). Mirrors {@code ToRGB} in rosinality's model.py.
 */
public final class ToRGB {
    final ModulatedConv2d conv;
    final Tensor bias;
    final Tensor upsampleKernel;

    ToRGB(StateDict sd, String prefix, int in, int styleDim, boolean upsample) {
        conv = new ModulatedConv2d(sd, prefix + "conv.", in, 3, 1, styleDim, false, false);
        bias = sd.take(prefix + "bias", 1, 3, 1, 1);
        upsampleKernel = upsample ? sd.take(prefix + "upsample.kernel", 4, 4) : null;
    }

    /** @param skip the previous RGB image at half resolution, or null for the first ToRGB */
    public Tensor forward(Tensor x, Tensor s, Tensor skip) {
        Tensor out = conv.forward(x, s, UpsampleConv.TRANSPOSED).add(bias);
        if (skip != null) out = out.add(Ops.upfirdn2d(skip, upsampleKernel, 2, 2, 1));
        return out;
    }
}
