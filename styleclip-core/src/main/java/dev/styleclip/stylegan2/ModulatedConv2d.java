package dev.styleclip.stylegan2;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A style-modulated convolution: mirrors {@code ModulatedConv2d} in rosinality's model.py. Owns the conv
 * weight [1, out, in, k, k], the modulation EqualLinear (w -> S entry, bias init 1) and, when upsampling,
 * the blur kernel buffer. The math is {@link Ops#modulatedConv2d}.
 */
public final class ModulatedConv2d {
    final Tensor weight;
    final Tensor modWeight;
    final Tensor modBias;
    final Tensor blur;
    final boolean demodulate;
    final boolean upsample;
    final int inChannels;

    ModulatedConv2d(StateDict sd, String prefix, int in, int out, int k, int styleDim, boolean demodulate,
                    boolean upsample) {
        this.weight = sd.take(prefix + "weight", 1, out, in, k, k);
        this.modWeight = sd.take(prefix + "modulation.weight", in, styleDim);
        this.modBias = sd.take(prefix + "modulation.bias", in);
        // The blur buffer (make_kernel([1,3,3,1]) * 4) is read from the file and used, as the reference does.
        this.blur = upsample ? sd.take(prefix + "blur.kernel", 4, 4) : null;
        this.demodulate = demodulate;
        this.upsample = upsample;
        this.inChannels = in;
    }

    /** This layer's S entry from one W+ row: [B, style_dim] -> [B, 1, in, 1, 1]. */
    public Tensor style(Tensor wRow) {
        return Ops.equalLinear(wRow, modWeight, modBias, 1.0, false).view(wRow.size(0), 1, inChannels, 1, 1);
    }

    /** @param x [B, in, H, W]; @param s [B, 1, in, 1, 1] */
    public Tensor forward(Tensor x, Tensor s, UpsampleConv impl) {
        return Ops.modulatedConv2d(x, weight, s, demodulate, upsample, blur, impl);
    }
}
