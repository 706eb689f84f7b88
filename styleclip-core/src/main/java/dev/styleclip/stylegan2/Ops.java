package dev.styleclip.stylegan2;

import dev.styleclip.tensor.Conv;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The math of rosinality's StyleGAN2 (StyleCLIP's copy, models/stylegan2/model.py and op/) as free
 * functions; the modules only own parameters.
 */
public final class Ops {
    // Native objects (Scalar, Tensor) are never cached in static fields: one made inside a caller's
    // PointerScope would be freed when that scope closes.
    private static final double SQRT2 = Math.sqrt(2.0);

    private Ops() {
    }

    /**
     * op/fused_act.py fused_leaky_relu: leaky_relu(x + bias, 0.2) * sqrt(2). The bias goes on dim 1 for
     * 2-D and 4-D inputs; for 3-D inputs [B, L, C] (the mapper's) it goes on the last axis, as the
     * reference's 3-D branch does.
     */
    public static Tensor fusedLeakyRelu(Tensor x, Tensor bias) {
        long rank = x.dim();
        Tensor b;
        if (rank == 3) {
            b = bias.view(1, 1, -1);
        } else {
            long[] shape = new long[(int) rank];
            java.util.Arrays.fill(shape, 1);
            shape[1] = -1;
            b = bias.view(shape);
        }
        return torch.leaky_relu(x.add(b), new Scalar(0.2)).mul(new Scalar(SQRT2));
    }

    /** PixelNorm: x * rsqrt(mean(x^2, dim) + 1e-8). The generator uses dim 1 of [B, D]. */
    public static Tensor pixelNorm(Tensor x, long dim) {
        return x.mul(x.square().mean(new long[] {dim}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                .add(new Scalar(1e-8)).rsqrt());
    }

    /**
     * EqualLinear: y = x @ (W * lr_mul / sqrt(in)).T, then either + b * lr_mul, or with activation
     * fused_leaky_relu(y, b * lr_mul).
     */
    public static Tensor equalLinear(Tensor x, Tensor weight, Tensor bias, double lrMul, boolean activate) {
        double scale = lrMul / Math.sqrt(weight.size(1));
        Tensor w = weight.mul(new Scalar(scale));
        Tensor b = bias.mul(new Scalar(lrMul));
        if (activate) return fusedLeakyRelu(torch.linear(x, w), b);
        return torch.linear(x, w, new TensorOptional(b));
    }

    /** make_kernel([1,3,3,1]): the normalised 4x4 outer product, times {@code gain}. */
    public static Tensor blurKernel(double gain) {
        float[] k1 = {1, 3, 3, 1};
        float[] k = new float[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) k[i * 4 + j] = (float) (k1[i] * k1[j] / 64.0 * gain);
        return Tensors.floats(k, 4, 4);
    }

    /**
     * conv_transpose2d(x, w, stride 2) for 3x3 kernels as four phase convolutions. Along one axis, output
     * 2m takes taps 2 and 0 (from x[m-1], x[m]) and output 2m+1 takes tap 1 (from x[m]); with x padded by
     * one on both sides that is a 2-tap correlation per phase, taps [2, 0] (even) and [zero, 1] (odd).
     * Returns [B, out, 2H+2, 2W+2]: the transposed conv's 2H+1 rows plus one trailing row that is exactly
     * zero, which the following blur (pad 1 before, 0 after) treats as its own zero padding.
     *
     * @param input [1, B*in, H, W] (batch folded into channels, as the grouped conv wants)
     * @param w     [B, out, in, 3, 3] modulated (and demodulated) weights
     */
    static Tensor polyphaseUpsample(Tensor input, Tensor w, long b) {
        long out = w.size(1), in = w.size(2), h = input.size(2), wd = input.size(3);
        Tensor ext = torch.constant_pad_nd(w, new long[] {0, 1, 0, 1}); // [B, out, in, 4, 4], tap 3 = 0
        Tensor idx = Tensors.longs(2, 0, 3, 1); // phase-major: even (u=0,1), odd (u=0,1)
        Tensor sel = ext.index_select(3, idx).index_select(4, idx); // [B, out, in, (py,u), (px,v)]
        Tensor k = sel.view(b, out, in, 2, 2, 2, 2).permute(0, 1, 3, 5, 2, 4, 6) // [B, out, py, px, in, u, v]
                .reshape(b * out * 4, in, 2, 2);
        Tensor y = torch.conv2d(input, k, new TensorOptional(), new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, b); // [1, B*out*4, H+1, W+1]
        return torch.pixel_shuffle(y.view(b, out * 4, h + 1, wd + 1), 2); // [B, out, 2H+2, 2W+2]
    }

    /**
     * upfirdn2d with up in {1, 2}, down 1: zero-insertion upsampling, padding (pad0 before, pad1 after, on
     * both axes), then a depthwise correlation with the flipped kernel. Input [N, C, H, W].
     */
    public static Tensor upfirdn2d(Tensor x, Tensor kernel, int up, int pad0, int pad1) {
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        Tensor y = x;
        if (up == 2) {
            // [N, C, H, 1, W, 1] -> pad a zero after every sample on both axes -> [N, C, 2H, 2W]
            y = torch.constant_pad_nd(x.view(n, c, h, 1, w, 1), new long[] {0, 1, 0, 0, 0, 1}).view(n, c, h * 2, w * 2);
        } else if (up != 1) {
            throw new IllegalArgumentException("upfirdn2d: up must be 1 or 2");
        }
        y = torch.constant_pad_nd(y, new long[] {pad0, pad1, pad0, pad1});
        long kh = kernel.size(0), kw = kernel.size(1);
        Tensor k = kernel.flip(new long[] {0, 1}).view(1, 1, kh, kw).expand(c, 1, kh, kw).contiguous(); // [C, 1, kh, kw]
        return torch.conv2d(y, k, new TensorOptional(), new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, c);
    }

    /**
     * ModulatedConv2d.forward from S: weight = W / sqrt(in*k*k) * s, demodulated by
     * rsqrt(sum(w^2 over in, kh, kw) + 1e-8); a grouped conv over the batch. With {@code upsample} it is the
     * reference's stride-2 transposed conv followed by the [1,3,3,1] blur with pad (1, 1).
     *
     * @param x      [B, in, H, W]
     * @param weight [1, out, in, k, k]
     * @param style  [B, 1, in, 1, 1] (one S entry)
     */
    public static Tensor modulatedConv2d(Tensor x, Tensor weight, Tensor style, boolean demodulate, boolean upsample,
                                         Tensor blur, UpsampleConv impl) {
        if (x.size(0) > 1 && impl == UpsampleConv.TRANSPOSED) {
            return modulatedConv2dBatched(x, weight, style, demodulate, upsample, blur);
        }
        return modulatedConv2dGrouped(x, weight, style, demodulate, upsample, blur, impl);
    }

    /**
     * The reference's formulation for any batch: per-sample modulated weights and one grouped conv over the batch
     * folded into channels. {@link #modulatedConv2d} uses it for batches of one (where it is a plain conv).
     */
    public static Tensor modulatedConv2dGrouped(Tensor x, Tensor weight, Tensor style, boolean demodulate, boolean upsample,
                                                Tensor blur, UpsampleConv impl) {
        long b = x.size(0), in = x.size(1), h = x.size(2), wd = x.size(3);
        long out = weight.size(1), k = weight.size(3);
        Tensor w = weight.mul(new Scalar(1.0 / Math.sqrt(in * k * k))).mul(style); // [B, out, in, k, k]
        if (demodulate) {
            Tensor demod = w.square().sum(new long[] {2, 3, 4}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .add(new Scalar(1e-8)).rsqrt(); // [B, out]
            w = w.mul(demod.view(b, out, 1, 1, 1));
        }
        Tensor input = x.reshape(1, b * in, h, wd);
        if (upsample && impl == UpsampleConv.POLYPHASE && k == 3) {
            return upfirdn2d(polyphaseUpsample(input, w, b), blur, 1, 1, 0);
        }
        if (upsample) {
            Tensor wt = w.transpose(1, 2).reshape(b * in, out, k, k); // [B*in, out, k, k]
            Tensor y = b == 1 ? Conv.convTranspose2d(input, wt, new long[] {2, 2})
                    : torch.conv_transpose2d(input, wt, new TensorOptional(), new long[] {2, 2}, new long[] {0, 0},
                    new long[] {0, 0}, b, 1, 1);
            y = y.view(b, out, y.size(2), y.size(3));
            return upfirdn2d(y, blur, 1, 1, 1);
        }
        Tensor y = Conv.conv2d(input, w.reshape(b * out, in, k, k), null, new long[] {1, 1}, new long[] {k / 2, k / 2}, b);
        return y.view(b, out, h, wd);
    }

    /**
     * The same modulated conv for a batch, with the modulation moved onto the activations (StyleGAN2's
     * {@code fused_modconv=False}): conv(x * s, W / sqrt(in k k)) * d with d[b, o] = rsqrt(sum_i (W_o,i^2 summed over
     * the taps) s[b, i]^2 + 1e-8). Equal to the grouped form up to float rounding (a test holds them together), but a
     * plain batched conv with shared weights: oneDNN's fast path instead of a B-group conv (through {@link
     * dev.styleclip.tensor.Conv}, which keeps clear of a libtorch defect at channel counts that are not multiples of 16).
     */
    public static Tensor modulatedConv2dBatched(Tensor x, Tensor weight, Tensor style, boolean demodulate, boolean upsample,
                                                Tensor blur) {
        long b = x.size(0), in = x.size(1);
        long out = weight.size(1), k = weight.size(3);
        Tensor w = weight.view(out, in, k, k).mul(new Scalar(1.0 / Math.sqrt(in * k * k))); // [out, in, k, k]
        Tensor s = style.view(b, in);
        Tensor xs = x.mul(s.view(b, in, 1, 1));
        Tensor y;
        if (upsample) {
            y = Conv.convTranspose2d(xs, w.transpose(0, 1), new long[] {2, 2});
            y = upfirdn2d(y, blur, 1, 1, 1);
        } else {
            y = Conv.conv2d(xs, w, null, new long[] {1, 1}, new long[] {k / 2, k / 2}, 1);
        }
        if (demodulate) {
            Tensor wsq = w.square().sum(new long[] {2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional()); // [out, in]
            Tensor d = s.square().matmul(wsq.t()).add(new Scalar(1e-8)).rsqrt(); // [B, out]
            y = y.mul(d.view(b, out, 1, 1));
        }
        return y;
    }
}
