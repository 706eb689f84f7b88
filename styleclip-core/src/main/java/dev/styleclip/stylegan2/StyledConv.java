package dev.styleclip.stylegan2;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Modulated 3x3 conv, noise injection (scalar weight, added before the bias), fused leaky ReLU.
 * Mirrors {@code StyledConv} in rosinality's model.py.
 */
public final class StyledConv {
    final ModulatedConv2d conv;
    final Tensor noiseWeight;
    final Tensor activateBias;

    StyledConv(StateDict sd, String prefix, int in, int out, int styleDim, boolean upsample) {
        conv = new ModulatedConv2d(sd, prefix + "conv.", in, out, 3, styleDim, true, upsample);
        noiseWeight = sd.take(prefix + "noise.weight", 1);
        activateBias = sd.take(prefix + "activate.bias", out);
    }

    /** @param noise [1 or B, 1, H, W], or null for none */
    public Tensor forward(Tensor x, Tensor s, Tensor noise, UpsampleConv impl) {
        Tensor out = conv.forward(x, s, impl);
        if (noise != null) out = out.add(noise.mul(noiseWeight));
        return Ops.fusedLeakyRelu(out, activateBias);
    }
}
