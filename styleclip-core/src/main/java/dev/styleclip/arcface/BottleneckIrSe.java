package dev.styleclip.arcface;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * One residual unit: mirrors {@code bottleneck_IR_SE} in StyleCLIP's models/facial_recognition/helpers.py.
 * <pre>
 *   shortcut_layer = MaxPool2d(1, stride)                      if in == depth
 *                  = Conv2d(in, depth, 1, stride) + BatchNorm2d otherwise        (keys shortcut_layer.0, .1)
 *   res_layer      = BatchNorm2d(in), Conv2d(in, depth, 3, 1, 1), PReLU(depth),
 *                    Conv2d(depth, depth, 3, stride, 1), BatchNorm2d(depth), SEModule(depth, 16)  (res_layer.0 .. .5)
 *   out            = res_layer(x) + shortcut_layer(x)           (no activation after the sum)
 * </pre>
 */
final class BottleneckIrSe {
    private final IrSeConfig.Unit unit;
    private final Tensor shortcutConv; // [depth, in, 1, 1], or null for the MaxPool2d(1, stride) shortcut
    private final BatchNorm shortcutBn;
    private final BatchNorm bn0;
    private final Tensor conv1; // [depth, in, 3, 3]
    private final Tensor prelu; // [depth]
    private final Tensor conv3; // [depth, depth, 3, 3]
    private final BatchNorm bn4;
    private final SeModule se;

    BottleneckIrSe(StateDict sd, String prefix, IrSeConfig.Unit unit) {
        this.unit = unit;
        int in = unit.inChannels(), depth = unit.depth();
        if (unit.convShortcut()) {
            shortcutConv = sd.take(prefix + "shortcut_layer.0.weight", depth, in, 1, 1);
            shortcutBn = new BatchNorm(sd, prefix + "shortcut_layer.1.", depth);
        } else {
            shortcutConv = null;
            shortcutBn = null;
        }
        bn0 = new BatchNorm(sd, prefix + "res_layer.0.", in);
        conv1 = sd.take(prefix + "res_layer.1.weight", depth, in, 3, 3);
        prelu = sd.take(prefix + "res_layer.2.weight", depth);
        conv3 = sd.take(prefix + "res_layer.3.weight", depth, depth, 3, 3);
        bn4 = new BatchNorm(sd, prefix + "res_layer.4.", depth);
        se = new SeModule(sd, prefix + "res_layer.5.", depth);
    }

    /** @param x [N, in, H, W] -> [N, depth, ceil(H / stride), ceil(W / stride)] */
    Tensor forward(Tensor x) {
        long s = unit.stride();
        Tensor shortcut = shortcutConv == null
                ? IrSeOps.subsample(x, s)
                : shortcutBn.forward(IrSeOps.conv2d(x, shortcutConv, s, 0));
        Tensor res = bn0.forward(x);
        res = IrSeOps.prelu(IrSeOps.conv2d(res, conv1, 1, 1), prelu);
        res = bn4.forward(IrSeOps.conv2d(res, conv3, s, 1));
        res = se.forward(res);
        return res.add(shortcut);
    }
}
