package dev.styleclip.train.gan;

import dev.styleclip.tensor.Conv;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Ops;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * rosinality's StyleGAN2 {@code Discriminator} (stylegan2-pytorch model.py), functional over tensors taken from a
 * {@link StateDict} by its state_dict keys:
 * <pre>
 *   convs.0        ConvLayer(3, ch[size], 1)                    convs.0.0.weight, convs.0.1.bias
 *   convs.k        ResBlock(ch[res], ch[res/2]), res = size..8  conv1 (3x3), conv2 (blur + 3x3 stride 2),
 *                                                               skip (blur + 1x1 stride 2, no bias); /sqrt(2)
 *   minibatch stddev, group min(B, 4), 1 feature
 *   final_conv     ConvLayer(ch[4] + 1, ch[4], 3)
 *   final_linear   EqualLinear(ch[4]*16, ch[4], fused_lrelu), EqualLinear(ch[4], 1)
 * </pre>
 * EqualConv2d scales its weight by 1/sqrt(in*k*k); a ConvLayer with activation has no conv bias, its
 * FusedLeakyReLU has the bias. The weights are the caller's tensors, used as they are (no copies): parameters
 * being trained stay leaves.
 */
public final class Discriminator {
    public static final int STDDEV_GROUP = 4;
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    /** One ConvLayer: optional blur (downsampling), EqualConv2d, optional activation bias. */
    private record ConvLayer(Tensor blur, Tensor weight, Tensor actBias) {
        Tensor forward(Tensor x) {
            long k = weight.size(2);
            Tensor w = weight.mul(new Scalar(1.0 / Math.sqrt(weight.size(1) * k * k)));
            Tensor y;
            if (blur != null) {
                int p = 2 + (int) (k - 1); // (len(blur_kernel) - factor) + (kernel_size - 1)
                Tensor b = Ops.upfirdn2d(x, blur, 1, (p + 1) / 2, p / 2);
                y = Conv.conv2d(b, w, null, new long[] {2, 2}, new long[] {0, 0}, 1);
            } else {
                y = Conv.conv2d(x, w, null, new long[] {1, 1}, new long[] {k / 2, k / 2}, 1);
            }
            return actBias == null ? y : Ops.fusedLeakyRelu(y, actBias);
        }
    }

    private record ResBlock(ConvLayer conv1, ConvLayer conv2, ConvLayer skip) {
        Tensor forward(Tensor x) {
            Tensor out = conv2.forward(conv1.forward(x));
            return out.add(skip.forward(x)).mul(new Scalar(INV_SQRT2));
        }
    }

    private final int size;
    private final ConvLayer fromRgb;
    private final List<ResBlock> blocks = new ArrayList<>();
    private final ConvLayer finalConv;
    private final Tensor lin0Weight;
    private final Tensor lin0Bias;
    private final Tensor lin1Weight;
    private final Tensor lin1Bias;

    /**
     * @param size     input resolution (a power of two, >= 8)
     * @param channels resolution -> channels, the generator's table (every power of two from 4 to size)
     */
    public Discriminator(StateDict sd, int size, Map<Integer, Integer> channels) throws CheckpointException {
        this.size = size;
        Map<String, long[]> s = shapes(size, channels);
        fromRgb = new ConvLayer(null, take(sd, s, "convs.0.0.weight"), take(sd, s, "convs.0.1.bias"));
        for (int k = 1, res = size; res > 4; k++, res /= 2) {
            String p = "convs." + k + ".";
            blocks.add(new ResBlock(
                    new ConvLayer(null, take(sd, s, p + "conv1.0.weight"), take(sd, s, p + "conv1.1.bias")),
                    new ConvLayer(take(sd, s, p + "conv2.0.kernel"), take(sd, s, p + "conv2.1.weight"), take(sd, s, p + "conv2.2.bias")),
                    new ConvLayer(take(sd, s, p + "skip.0.kernel"), take(sd, s, p + "skip.1.weight"), null)));
        }
        finalConv = new ConvLayer(null, take(sd, s, "final_conv.0.weight"), take(sd, s, "final_conv.1.bias"));
        lin0Weight = take(sd, s, "final_linear.0.weight");
        lin0Bias = take(sd, s, "final_linear.0.bias");
        lin1Weight = take(sd, s, "final_linear.1.weight");
        lin1Bias = take(sd, s, "final_linear.1.bias");
        sd.finish("StyleGAN2 discriminator (size " + size + ", channels " + channels + ")");
    }

    private static Tensor take(StateDict sd, Map<String, long[]> shapes, String key) {
        return sd.take(key, shapes.get(key));
    }

    /** rosinality's state_dict keys and shapes, in its order, for a discriminator of this size and channel table. */
    public static Map<String, long[]> shapes(int size, Map<Integer, Integer> channels) {
        if (size < 8 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("size must be a power of two >= 8, got " + size);
        for (int r = 4; r <= size; r *= 2) {
            if (!channels.containsKey(r)) throw new IllegalArgumentException("channel table has no entry for " + r + " px: " + channels);
        }
        Map<String, long[]> m = new LinkedHashMap<>();
        long c = channels.get(size);
        m.put("convs.0.0.weight", new long[] {c, 3, 1, 1});
        m.put("convs.0.1.bias", new long[] {c});
        for (int k = 1, res = size; res > 4; k++, res /= 2) {
            String p = "convs." + k + ".";
            long in = channels.get(res);
            long out = channels.get(res / 2);
            m.put(p + "conv1.0.weight", new long[] {in, in, 3, 3});
            m.put(p + "conv1.1.bias", new long[] {in});
            m.put(p + "conv2.0.kernel", new long[] {4, 4});
            m.put(p + "conv2.1.weight", new long[] {out, in, 3, 3});
            m.put(p + "conv2.2.bias", new long[] {out});
            m.put(p + "skip.0.kernel", new long[] {4, 4});
            m.put(p + "skip.1.weight", new long[] {out, in, 1, 1});
        }
        long c4 = channels.get(4);
        m.put("final_conv.0.weight", new long[] {c4, c4 + 1, 3, 3});
        m.put("final_conv.1.bias", new long[] {c4});
        m.put("final_linear.0.weight", new long[] {c4, c4 * 16});
        m.put("final_linear.0.bias", new long[] {c4});
        m.put("final_linear.1.weight", new long[] {1, c4});
        m.put("final_linear.1.bias", new long[] {1});
        return m;
    }

    public int size() {
        return size;
    }

    /** Images [B, 3, size, size] -> logits [B, 1]. B must be a multiple of min(B, 4) (the stddev group). */
    public Tensor forward(Tensor img) {
        Tensors.checkShape("discriminator input", img, -1, 3, size, size);
        long batch = img.size(0);
        long group = Math.min(batch, STDDEV_GROUP);
        if (batch % group != 0) throw new IllegalArgumentException("batch " + batch + " is not a multiple of the stddev group " + group);
        Tensor out = fromRgb.forward(img);
        for (ResBlock b : blocks) out = b.forward(out);
        long c = out.size(1), h = out.size(2), w = out.size(3);
        // stddev = sqrt(var over the group (biased) + 1e-8), averaged over channels and pixels
        Tensor y = out.view(group, -1, 1, c, h, w);
        Tensor centred = y.sub(y.mean(new long[] {0}, true, new ScalarTypeOptional()));
        Tensor var = centred.square().mean(new long[] {0}, false, new ScalarTypeOptional());
        Tensor stddev = var.add(new Scalar(1e-8)).sqrt().mean(new long[] {2, 3, 4}, true, new ScalarTypeOptional()).squeeze(2);
        stddev = stddev.repeat(group, 1, h, w);
        out = torch.cat(new TensorVector(out, stddev), 1);
        out = finalConv.forward(out).view(batch, -1);
        out = Ops.equalLinear(out, lin0Weight, lin0Bias, 1.0, true);
        return Ops.equalLinear(out, lin1Weight, lin1Bias, 1.0, false);
    }
}
