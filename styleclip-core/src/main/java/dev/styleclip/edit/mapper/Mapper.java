package dev.styleclip.edit.mapper;

import dev.styleclip.stylegan2.Ops;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * One sub-mapper: {@code Mapper} in StyleCLIP mapper/latent_mappers.py, an {@code nn.Sequential} of PixelNorm
 * (index 0, no weights) and four EqualLinear(W, W, lr_mul=0.01, activation='fused_lrelu') at indices 1-4, where the
 * width W is the generator's style_dim (512 for FFHQ). Keys: {@code <prefix>mapping.<i>.weight} [W, W] and
 * {@code .bias} [W], stored at 1 / lr_mul times their effective values. W is taken from the weights.
 */
public final class Mapper {
    /** The width of the reference's mappers: the style_dim of the FFHQ generator. */
    public static final int DEFAULT_WIDTH = 512;
    public static final int DEPTH = 4;
    /** EqualLinear's lr_mul in the reference mapper. */
    public static final double LR_MUL = 0.01;

    private final Tensor[] weights = new Tensor[DEPTH];
    private final Tensor[] biases = new Tensor[DEPTH];
    private final String prefix;
    private final int width;

    /**
     * Takes the weights under {@code prefix} (e.g. "course_mapping.") from {@code sd}, each layer [width, width]
     * and [width]; a key of another shape is recorded by {@code sd} (reported by its {@code finish}).
     */
    Mapper(StateDict sd, String prefix, int width) {
        this.prefix = prefix;
        this.width = width;
        for (int i = 0; i < DEPTH; i++) {
            // Copies: training updates them in place, and they must not alias the caller's tensors.
            weights[i] = sd.take(weightKey(prefix, i), width, width).clone();
            biases[i] = sd.take(biasKey(prefix, i), width).clone();
        }
    }

    /**
     * The width that the weights under {@code prefix} give: the first dimension of the first layer's weight, else
     * of its bias; -1 when {@code sd} has neither (a missing level, or random weights that take any shape).
     */
    static int widthOf(StateDict sd, String prefix) {
        long[] w = sd.shape(weightKey(prefix, 0));
        if (w != null && w.length >= 1) return Math.toIntExact(w[0]);
        long[] b = sd.shape(biasKey(prefix, 0));
        if (b != null && b.length >= 1) return Math.toIntExact(b[0]);
        return -1;
    }

    static String weightKey(String prefix, int layer) {
        return prefix + "mapping." + (layer + 1) + ".weight";
    }

    static String biasKey(String prefix, int layer) {
        return prefix + "mapping." + (layer + 1) + ".bias";
    }

    /**
     * @param x [B, R, W], the rows of one level
     * @return [B, R, W]
     */
    public Tensor forward(Tensor x) {
        Tensors.checkShape("mapper input", x, -1, -1, width);
        // PixelNorm over dim 1: across the level's W+ rows, per feature (the reference's 3-D quirk).
        Tensor y = Ops.pixelNorm(x, 1);
        for (int i = 0; i < DEPTH; i++) y = Ops.equalLinear(y, weights[i], biases[i], LR_MUL, true);
        return y;
    }

    /** The parameters in {@code named_parameters()} order (weight, bias per layer), keyed with the prefix. */
    Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < DEPTH; i++) {
            out.put(weightKey(prefix, i), weights[i]);
            out.put(biasKey(prefix, i), biases[i]);
        }
        return out;
    }
}
