package dev.styleclip.clip;

import dev.styleclip.tensor.Conv;
import dev.styleclip.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * CLIP's image encoder: patch embedding by {@code conv1} (kernel = stride = patch, no bias), the grid flattened
 * row-major into tokens, the class embedding prepended, positional embedding added, {@code ln_pre}, the
 * transformer (no mask), {@code ln_post} on the class token only, then {@code @ proj} (no bias). Mirrors
 * {@code VisionTransformer} in openai/CLIP {@code clip/model.py}; parameters under {@code visual.}.
 */
public final class VisionTransformer {
    private final int resolution;
    private final int patch;
    private final int width;
    private final ClipParameter classEmbedding;      // [width]
    private final ClipParameter positionalEmbedding; // [grid^2 + 1, width]
    private final ClipParameter proj;                // [width, embed_dim]
    private final ClipParameter conv1Weight;         // [width, 3, patch, patch]
    private final ClipParameter lnPreWeight;
    private final ClipParameter lnPreBias;
    private final Transformer transformer;
    private final ClipParameter lnPostWeight;
    private final ClipParameter lnPostBias;

    /** Takes the parameters in state_dict order: its own (class_embedding, positional_embedding, proj), then conv1, ln_pre, transformer, ln_post. */
    VisionTransformer(ClipWeights w, String prefix, ClipConfig cfg) {
        resolution = cfg.imageResolution();
        patch = cfg.visionPatchSize();
        width = cfg.visionWidth();
        long tokens = (long) cfg.grid() * cfg.grid() + 1;
        classEmbedding = w.fp32(prefix + "class_embedding", width);
        positionalEmbedding = w.fp32(prefix + "positional_embedding", tokens, width);
        proj = w.fp16RoundTrip(prefix + "proj", width, cfg.embedDim());
        conv1Weight = w.fp16RoundTrip(prefix + "conv1.weight", width, 3, patch, patch);
        lnPreWeight = w.fp32(prefix + "ln_pre.weight", width);
        lnPreBias = w.fp32(prefix + "ln_pre.bias", width);
        transformer = new Transformer(w, prefix + "transformer.", width, cfg.visionLayers(), cfg.visionHeads());
        lnPostWeight = w.fp32(prefix + "ln_post.weight", width);
        lnPostBias = w.fp32(prefix + "ln_post.bias", width);
    }

    /** @param x float32 images [N, 3, R, R] (R = image_resolution); returns [N, embed_dim] (not normalised) */
    public Tensor forward(Tensor x) {
        Tensors.checkShape("image", x, -1, 3, resolution, resolution);
        Tensor t = transformer.forward(tokens(x), null);
        Tensor classToken = ClipOps.layerNorm(t.select(1, 0), lnPostWeight.value(), lnPostBias.value()); // [N, width]
        return classToken.matmul(proj.value()); // [N, embed_dim]
    }

    /**
     * The token features inside the encoder: the residual stream after each block of {@code blocks} (1-based counts,
     * ascending), computed as {@link #forward} computes them and stopped after the last one asked for.
     *
     * @param x float32 images [N, 3, R, R]
     * @return one [N, grid*grid + 1, width] tensor per block (the class token first)
     */
    public List<Tensor> blockOutputs(Tensor x, int... blocks) {
        Tensors.checkShape("image", x, -1, 3, resolution, resolution);
        return transformer.outputsAfter(tokens(x), null, blocks);
    }

    /** The number of residual blocks. */
    public int layers() {
        return transformer.layers();
    }

    /** Patch embedding, class token, positional embedding and ln_pre: the transformer's input [N, grid*grid + 1, width]. */
    private Tensor tokens(Tensor x) {
        if (x.scalar_type().intern() != ScalarType.Float) {
            throw new IllegalArgumentException("image must be float32, got " + x.scalar_type());
        }
        long n = x.size(0);
        Tensor t = Conv.conv2d(x, conv1Weight.value(), null, new long[] {patch, patch}, new long[] {0, 0}, 1); // [N, width, grid, grid]
        t = t.reshape(n, width, -1).permute(0, 2, 1); // [N, grid*grid, width], patches in row-major order
        Tensor cls = classEmbedding.value().view(1, 1, width).expand(n, 1, width); // [N, 1, width]
        t = torch.cat(new TensorVector(cls, t), 1).add(positionalEmbedding.value()); // [N, grid*grid + 1, width]
        return ClipOps.layerNorm(t, lnPreWeight.value(), lnPreBias.value());
    }
}
