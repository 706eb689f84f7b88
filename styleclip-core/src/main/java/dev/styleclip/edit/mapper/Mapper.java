package dev.styleclip.edit.mapper;

import dev.styleclip.stylegan2.Ops;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * One sub-mapper: {@code Mapper} in StyleCLIP mapper/latent_mappers.py, an {@code nn.Sequential} of PixelNorm
 * (index 0, no weights) and four EqualLinear(512, 512, lr_mul=0.01, activation='fused_lrelu') at indices 1-4.
 * Keys: {@code <prefix>mapping.<i>.weight} [512, 512] and {@code .bias} [512], stored at 1 / lr_mul times their
 * effective values.
 */
public final class Mapper {
    public static final int WIDTH = 512;
    public static final int DEPTH = 4;
    /** EqualLinear's lr_mul in the reference mapper. */
    public static final double LR_MUL = 0.01;

    private final Tensor[] weights = new Tensor[DEPTH];
    private final Tensor[] biases = new Tensor[DEPTH];
    private final String prefix;

    /** Takes the weights under {@code prefix} (e.g. "course_mapping.") from {@code sd}. */
    Mapper(StateDict sd, String prefix) {
        this.prefix = prefix;
        for (int i = 0; i < DEPTH; i++) {
            // Copies: training updates them in place, and they must not alias the caller's tensors.
            weights[i] = sd.take(weightKey(prefix, i), WIDTH, WIDTH).clone();
            biases[i] = sd.take(biasKey(prefix, i), WIDTH).clone();
        }
    }

    static String weightKey(String prefix, int layer) {
        return prefix + "mapping." + (layer + 1) + ".weight";
    }

    static String biasKey(String prefix, int layer) {
        return prefix + "mapping." + (layer + 1) + ".bias";
    }

    /**
     * @param x [B, R, 512], the rows of one level
     * @return [B, R, 512]
     */
    public Tensor forward(Tensor x) {
        Tensors.checkShape("mapper input", x, -1, -1, WIDTH);
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
