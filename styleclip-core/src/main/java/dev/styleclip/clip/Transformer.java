package dev.styleclip.clip;

import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A stack of {@link ResidualAttentionBlock}s sharing one attention mask. Mirrors {@code Transformer} in
 * openai/CLIP {@code clip/model.py}; blocks under {@code <prefix>resblocks.<i>.}.
 */
public final class Transformer {
    private final int width;
    private final List<ResidualAttentionBlock> resblocks = new ArrayList<>();

    Transformer(ClipWeights w, String prefix, int width, int layers, int heads) {
        this.width = width;
        for (int i = 0; i < layers; i++) {
            resblocks.add(new ResidualAttentionBlock(w, prefix + "resblocks." + i + ".", width, heads));
        }
    }

    /**
     * @param x    [N, L, width]
     * @param mask [L, L] additive mask, or null
     */
    public Tensor forward(Tensor x, Tensor mask) {
        Tensors.checkShape("transformer input", x, -1, -1, width);
        for (ResidualAttentionBlock block : resblocks) x = block.forward(x, mask);
        return x;
    }

    public int layers() {
        return resblocks.size();
    }
}
