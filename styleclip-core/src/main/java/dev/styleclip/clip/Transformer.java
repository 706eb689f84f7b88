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

    /**
     * The residual stream after each block of {@code blocks} (1-based block counts, ascending): the same blocks
     * {@link #forward} runs, stopped after the last one asked for.
     *
     * @param x    [N, L, width]
     * @param mask [L, L] additive mask, or null
     * @return one [N, L, width] tensor per entry of {@code blocks}
     */
    public List<Tensor> outputsAfter(Tensor x, Tensor mask, int... blocks) {
        Tensors.checkShape("transformer input", x, -1, -1, width);
        List<Tensor> out = new ArrayList<>(blocks.length);
        int next = 0;
        for (int i = 0; i < resblocks.size() && next < blocks.length; i++) {
            x = resblocks.get(i).forward(x, mask);
            if (blocks[next] == i + 1) {
                out.add(x);
                next++;
            }
        }
        if (next < blocks.length) {
            throw new IllegalArgumentException("blocks " + java.util.Arrays.toString(blocks) + " must be ascending counts in [1, "
                    + resblocks.size() + "]");
        }
        return out;
    }

    public int layers() {
        return resblocks.size();
    }
}
