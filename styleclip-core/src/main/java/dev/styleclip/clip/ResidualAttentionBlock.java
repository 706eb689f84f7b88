package dev.styleclip.clip;

import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * A pre-LayerNorm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}, the MLP being
 * {@code c_fc} (4 x width) -> QuickGELU -> {@code c_proj}. Mirrors {@code ResidualAttentionBlock} in openai/CLIP
 * {@code clip/model.py}; parameters under {@code <prefix>attn.*, ln_1.*, mlp.c_fc.*, mlp.c_proj.*, ln_2.*}.
 */
public final class ResidualAttentionBlock {
    private final int width;
    private final int heads;
    private final ClipParameter inProjWeight;   // [3W, W], rows q | k | v
    private final ClipParameter inProjBias;     // [3W]
    private final ClipParameter outProjWeight;  // [W, W]
    private final ClipParameter outProjBias;    // [W]
    private final ClipParameter ln1Weight;
    private final ClipParameter ln1Bias;
    private final ClipParameter fcWeight;       // [4W, W]
    private final ClipParameter fcBias;         // [4W]
    private final ClipParameter projWeight;     // [W, 4W]
    private final ClipParameter projBias;       // [W]
    private final ClipParameter ln2Weight;
    private final ClipParameter ln2Bias;

    ResidualAttentionBlock(ClipWeights w, String prefix, int width, int heads) {
        this.width = width;
        this.heads = heads;
        inProjWeight = w.fp16RoundTrip(prefix + "attn.in_proj_weight", 3L * width, width);
        inProjBias = w.fp16RoundTrip(prefix + "attn.in_proj_bias", 3L * width);
        outProjWeight = w.fp16RoundTrip(prefix + "attn.out_proj.weight", width, width);
        outProjBias = w.fp16RoundTrip(prefix + "attn.out_proj.bias", width);
        ln1Weight = w.fp32(prefix + "ln_1.weight", width);
        ln1Bias = w.fp32(prefix + "ln_1.bias", width);
        fcWeight = w.fp16RoundTrip(prefix + "mlp.c_fc.weight", 4L * width, width);
        fcBias = w.fp16RoundTrip(prefix + "mlp.c_fc.bias", 4L * width);
        projWeight = w.fp16RoundTrip(prefix + "mlp.c_proj.weight", width, 4L * width);
        projBias = w.fp16RoundTrip(prefix + "mlp.c_proj.bias", width);
        ln2Weight = w.fp32(prefix + "ln_2.weight", width);
        ln2Bias = w.fp32(prefix + "ln_2.bias", width);
    }

    /**
     * @param x    [N, L, width]
     * @param mask [L, L] additive attention mask, or null (the image tower uses none)
     */
    public Tensor forward(Tensor x, Tensor mask) {
        Tensors.checkShape("residual block input", x, -1, -1, width);
        Tensor a = ClipOps.layerNorm(x, ln1Weight.value(), ln1Bias.value());
        x = x.add(ClipOps.multiHeadAttention(a, inProjWeight.value(), inProjBias.value(), outProjWeight.value(),
                outProjBias.value(), heads, mask));
        Tensor m = ClipOps.layerNorm(x, ln2Weight.value(), ln2Bias.value());
        return x.add(mlp(m));
    }

    private Tensor mlp(Tensor x) {
        return ClipOps.linear(ClipOps.quickGelu(ClipOps.linear(x, fcWeight.value(), fcBias.value())), projWeight.value(),
                projBias.value());
    }
}
