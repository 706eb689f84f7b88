package dev.styleclip.stylegan2;

import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * z -> w: PixelNorm, then n_mlp EqualLinear layers (lr_mul 0.01, fused leaky ReLU).
 * Mirrors {@code Generator.style} in rosinality's model.py; keys {@code style.<i>.weight|bias}, i = 1..n_mlp.
 */
public final class MappingNetwork {
    static final double LR_MUL = 0.01;
    private final Tensor[] weights;
    private final Tensor[] biases;

    MappingNetwork(StateDict sd, int styleDim, int nMlp) {
        weights = new Tensor[nMlp];
        biases = new Tensor[nMlp];
        for (int i = 0; i < nMlp; i++) {
            weights[i] = sd.take("style." + (i + 1) + ".weight", styleDim, styleDim);
            biases[i] = sd.take("style." + (i + 1) + ".bias", styleDim);
        }
    }

    /** @param z [B, style_dim] -> w [B, style_dim] */
    public Tensor forward(Tensor z) {
        Tensors.checkShape("z", z, -1, weights[0].size(1));
        Tensor x = Ops.pixelNorm(z, 1);
        for (int i = 0; i < weights.length; i++) x = Ops.equalLinear(x, weights[i], biases[i], LR_MUL, true);
        return x;
    }
}
