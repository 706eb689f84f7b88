package dev.styleclip.invert.encoder;

import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.arcface.IrSeOps;
import org.bytedeco.pytorch.Tensor;

/**
 * One residual unit of the encoder's body: {@code bottleneck_IR_SE} in e4e's models/encoders/helpers.py (the same unit
 * as the ArcFace backbone's, here with trainable BatchNorm).
 * <pre>
 *   shortcut_layer = MaxPool2d(1, stride)                      if in == depth
 *                  = Conv2d(in, depth, 1, stride) + BatchNorm2d otherwise        (keys shortcut_layer.0, .1)
 *   res_layer      = BatchNorm2d(in), Conv2d(in, depth, 3, 1, 1), PReLU(depth),
 *                    Conv2d(depth, depth, 3, stride, 1), BatchNorm2d(depth), SEModule(depth, 16)  (res_layer.0 .. .5)
 *   out            = res_layer(x) + shortcut_layer(x)
 * </pre>
 */
final class BottleneckIrSe {
    private final IrSeConfig.Unit unit;
    private final Tensor shortcutConv; // [depth, in, 1, 1], or null for the MaxPool2d(1, stride) shortcut
    private final BatchNorm2d shortcutBn;
    private final BatchNorm2d bn0;
    private final Tensor conv1; // [depth, in, 3, 3]
    private final Tensor prelu; // [depth]
    private final Tensor conv3; // [depth, depth, 3, 3]
    private final BatchNorm2d bn4;
    private final Tensor seFc1; // [depth / 16, depth, 1, 1]
    private final Tensor seFc2; // [depth, depth / 16, 1, 1]

    BottleneckIrSe(Weights w, String prefix, IrSeConfig.Unit unit) {
        this.unit = unit;
        int in = unit.inChannels(), depth = unit.depth(), hidden = depth / IrSeConfig.SE_REDUCTION;
        if (unit.convShortcut()) {
            shortcutConv = w.parameter(prefix + "shortcut_layer.0.weight", depth, in, 1, 1);
            shortcutBn = new BatchNorm2d(w, prefix + "shortcut_layer.1.", depth);
        } else {
            shortcutConv = null;
            shortcutBn = null;
        }
        bn0 = new BatchNorm2d(w, prefix + "res_layer.0.", in);
        conv1 = w.parameter(prefix + "res_layer.1.weight", depth, in, 3, 3);
        prelu = w.parameter(prefix + "res_layer.2.weight", depth);
        conv3 = w.parameter(prefix + "res_layer.3.weight", depth, depth, 3, 3);
        bn4 = new BatchNorm2d(w, prefix + "res_layer.4.", depth);
        seFc1 = w.parameter(prefix + "res_layer.5.fc1.weight", hidden, depth, 1, 1);
        seFc2 = w.parameter(prefix + "res_layer.5.fc2.weight", depth, hidden, 1, 1);
    }

    /** @param x [N, in, H, W] -> [N, depth, ceil(H / stride), ceil(W / stride)] */
    Tensor forward(Tensor x, NormStatistics stats) {
        long s = unit.stride();
        Tensor shortcut = shortcutConv == null
                ? IrSeOps.subsample(x, s)
                : shortcutBn.forward(IrSeOps.conv2d(x, shortcutConv, s, 0), stats);
        Tensor res = bn0.forward(x, stats);
        res = IrSeOps.prelu(IrSeOps.conv2d(res, conv1, 1, 1), prelu);
        res = bn4.forward(IrSeOps.conv2d(res, conv3, s, 1), stats);
        res = IrSeOps.squeezeExcite(res, seFc1, seFc2);
        return res.add(shortcut);
    }
}
