package dev.styleclip.clip;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The math of openai/CLIP {@code clip/model.py} as free functions; the modules only own parameters. Sequences
 * are batch-first {@code [N, L, D]} here (the reference permutes to {@code [L, N, D]} for
 * {@code nn.MultiheadAttention}; every operation is per sequence, so the layout changes nothing).
 */
public final class ClipOps {
    /** {@code nn.LayerNorm} default eps, which CLIP's {@code LayerNorm} subclass keeps. */
    public static final double LAYER_NORM_EPS = 1e-5;
    /** The constant of {@code QuickGELU}: x * sigmoid(1.702 x), the sigmoid approximation of GELU. */
    public static final double QUICK_GELU_ALPHA = 1.702;

    private ClipOps() {
    }

    /** {@code LayerNorm} over the last dimension (CLIP's subclass computes in float32, as we always do). */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias) {
        return torch.layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(weight), new TensorOptional(bias),
                LAYER_NORM_EPS, false);
    }

    /** {@code QuickGELU}: x * sigmoid(1.702 x). Not the erf GELU: CLIP was trained with this one. */
    public static Tensor quickGelu(Tensor x) {
        return x.mul(x.mul(new Scalar(QUICK_GELU_ALPHA)).sigmoid());
    }

    /** {@code nn.Linear}: x @ W.T + b. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return torch.linear(x, weight, new TensorOptional(bias));
    }

    /**
     * {@code nn.MultiheadAttention(d_model, n_head)} self-attention (query = key = value = x), as
     * {@code F.multi_head_attention_forward} computes it: one packed projection {@code in_proj_weight} [3D, D]
     * whose rows are q, k, v; heads are contiguous D/heads slices of each; q is divided by sqrt(head_dim)
     * before q k^T; the additive mask (or none) goes on the scores before the softmax; then {@code out_proj}.
     *
     * @param x    [N, L, D]
     * @param mask [L, L] additive mask (0 or -inf), or null
     */
    public static Tensor multiHeadAttention(Tensor x, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
                                            Tensor outProjBias, int heads, Tensor mask) {
        long n = x.size(0), l = x.size(1), d = x.size(2), hd = d / heads;
        Tensor qkv = linear(x, inProjWeight, inProjBias); // [N, L, 3D]: q | k | v
        Tensor q = splitHeads(qkv.narrow(2, 0, d), heads).div(new Scalar(Math.sqrt(hd))); // [N, H, L, hd]
        Tensor k = splitHeads(qkv.narrow(2, d, d), heads);
        Tensor v = splitHeads(qkv.narrow(2, 2 * d, d), heads);
        Tensor scores = q.matmul(k.transpose(2, 3)); // [N, H, L, L]
        if (mask != null) scores = scores.add(mask);
        Tensor out = torch.softmax(scores, -1).matmul(v); // [N, H, L, hd]
        out = out.transpose(1, 2).reshape(n, l, d); // [N, L, H*hd]: heads back side by side
        return linear(out, outProjWeight, outProjBias);
    }

    /** [N, L, D] -> [N, H, L, D/H]; head h is the slice [h*D/H, (h+1)*D/H) of the features. */
    private static Tensor splitHeads(Tensor x, int heads) {
        long n = x.size(0), l = x.size(1), d = x.size(2);
        return x.reshape(n, l, heads, d / heads).transpose(1, 2);
    }

    /** x / ||x||_2 over the last dimension ({@code x / x.norm(dim=-1, keepdim=True)} in CLIP.forward). */
    public static Tensor l2Normalize(Tensor x) {
        return x.div(torch.linalg_vector_norm(x, new Scalar(2.0), new long[] {-1}, true, new ScalarTypeOptional()));
    }

    /**
     * {@code CLIP.build_attention_mask}: [L, L] filled with -inf above the diagonal and 0 on and below it, so
     * that position i attends to positions 0..i only.
     */
    public static Tensor causalMask(int length) {
        return torch.triu(torch.full(new long[] {length, length}, new Scalar(Double.NEGATIVE_INFINITY)), 1);
    }
}
