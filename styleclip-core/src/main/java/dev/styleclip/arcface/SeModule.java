package dev.styleclip.arcface;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Squeeze-and-excitation: mirrors {@code SEModule(channels, reduction=16)} in StyleCLIP's
 * models/facial_recognition/helpers.py. Keys {@code <prefix>fc1.weight} [C/16, C, 1, 1] and
 * {@code <prefix>fc2.weight} [C, C/16, 1, 1] (bias-free 1x1 convs). The math is {@link IrSeOps#squeezeExcite}.
 */
final class SeModule {
    private final Tensor fc1;
    private final Tensor fc2;

    SeModule(StateDict sd, String prefix, int channels) {
        int hidden = channels / IrSeConfig.SE_REDUCTION;
        fc1 = sd.take(prefix + "fc1.weight", hidden, channels, 1, 1);
        fc2 = sd.take(prefix + "fc2.weight", channels, hidden, 1, 1);
    }

    /** @param x [N, C, H, W] -> [N, C, H, W] */
    Tensor forward(Tensor x) {
        return IrSeOps.squeezeExcite(x, fc1, fc2);
    }
}
