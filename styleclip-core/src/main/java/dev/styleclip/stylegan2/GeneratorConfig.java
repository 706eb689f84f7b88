package dev.styleclip.stylegan2;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.StateDict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a rosinality StyleGAN2 generator, read from its weights (never from a side file):
 * resolution from the number of upsampling convs, style dimension and mapping depth from {@code style.*},
 * the channel table from each resolution's conv weights.
 *
 * @param size      output resolution (a power of two, >= 8)
 * @param styleDim  dimension of z and w (512 for FFHQ)
 * @param nMlp      mapping network depth (8 for FFHQ)
 * @param channels  resolution -> feature channels (config-f: 512 up to 64 px with channel_multiplier 2)
 */
public record GeneratorConfig(int size, int styleDim, int nMlp, Map<Integer, Integer> channels) {

    public int logSize() {
        return Integer.numberOfTrailingZeros(size);
    }

    /** Rows of W+: 2 * log2(size) - 2 (18 at 1024). */
    public int nLatent() {
        return logSize() * 2 - 2;
    }

    /** Noise buffers / styled convs: (log2(size) - 2) * 2 + 1. */
    public int numLayers() {
        return (logSize() - 2) * 2 + 1;
    }

    /** rosinality's channel table for config-f style generators: 512 up to 32 px, then 256*cm, 128*cm, ... */
    public static GeneratorConfig standard(int size, int styleDim, int nMlp, int channelMultiplier) {
        Map<Integer, Integer> ch = new LinkedHashMap<>();
        int[] base = {512, 512, 512, 512, 256 * channelMultiplier, 128 * channelMultiplier, 64 * channelMultiplier,
                32 * channelMultiplier, 16 * channelMultiplier};
        for (int i = 0, res = 4; res <= size; i++, res *= 2) ch.put(res, base[i]);
        return new GeneratorConfig(size, styleDim, nMlp, ch);
    }

    /** Infers the configuration from a state dict in rosinality's layout (keys without the g_ema prefix). */
    public static GeneratorConfig infer(StateDict sd, String source) throws CheckpointException {
        long[] input = sd.shape("input.input");
        long[] style1 = sd.shape("style.1.weight");
        if (input == null || style1 == null || input.length != 4) {
            throw new CheckpointException(source + ": not a StyleGAN2 generator (no input.input / style.1.weight)");
        }
        int nMlp = 0;
        while (sd.contains("style." + (nMlp + 1) + ".weight")) nMlp++;
        int convs = 0;
        while (sd.contains("convs." + convs + ".conv.weight")) convs++;
        if (convs % 2 != 0) throw new CheckpointException(source + ": odd number of convs (" + convs + ")");
        int size = 4 << (convs / 2);
        Map<Integer, Integer> ch = new LinkedHashMap<>();
        ch.put(4, (int) input[1]);
        for (int j = 0; j < convs / 2; j++) {
            long[] w = sd.shape("convs." + (2 * j) + ".conv.weight"); // [1, out, in, 3, 3]
            ch.put(8 << j, (int) w[1]);
        }
        return new GeneratorConfig(size, (int) style1[1], nMlp, ch);
    }

    @Override
    public String toString() {
        return "size=" + size + " style_dim=" + styleDim + " n_mlp=" + nMlp + " n_latent=" + nLatent()
                + " channels=" + channels;
    }
}
