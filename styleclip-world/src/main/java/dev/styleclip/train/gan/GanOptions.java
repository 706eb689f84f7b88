package dev.styleclip.train.gan;

import dev.styleclip.stylegan2.GeneratorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The options of a GAN run: rosinality's train.py arguments (names in {@link #toMap} are its {@code args}) plus the
 * generator's shape and a seed.
 *
 * @param size            image resolution
 * @param styleDim        z / w dimension ({@code latent})
 * @param nMlp            mapping depth
 * @param channels        resolution -> channels, shared by the generator and the discriminator
 * @param batch           batch size
 * @param lr              Adam learning rate before the lazy-regularisation ratio (0.002)
 * @param r1              R1 weight gamma (10); 0 turns R1 off
 * @param dRegEvery       R1 every this many steps (16), scaled by it
 * @param pathRegularize  path-length weight (rosinality: 2; here 0 = off by default: it doubles a generator step
 *                        on a CPU, and a 64 px run does fine without it); when 0 the generator's lr and betas are
 *                        not adjusted (ratio 1)
 * @param gRegEvery       path-length regularisation every this many steps (4)
 * @param pathBatchShrink path-length batch = batch / this (2)
 * @param mixing          style-mixing probability (0.9)
 * @param emaKimg         g_ema half-life in thousands of images: decay = 0.5 ** (batch / (ema_kimg * 1000)); 10 gives
 *                        rosinality's 0.5 ** (32 / 10000) at batch 32
 * @param seed            seed of the initial weights and of every step's z, mixing and noise
 */
public record GanOptions(int size, int styleDim, int nMlp, Map<Integer, Integer> channels, int batch, double lr, double r1,
                         int dRegEvery, double pathRegularize, int gRegEvery, int pathBatchShrink, double mixing,
                         double emaKimg, long seed) {

    public GanOptions {
        channels = new TreeMap<>(channels);
        new GeneratorConfig(size, styleDim, nMlp, channels); // shape checks happen in the models
        if (size < 8 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("size must be a power of two >= 8");
        for (int r = 4; r <= size; r *= 2) {
            if (!channels.containsKey(r)) throw new IllegalArgumentException("channels need an entry for " + r + " px");
        }
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        int group = Math.min(batch, Discriminator.STDDEV_GROUP);
        if (batch % group != 0) throw new IllegalArgumentException("batch must be a multiple of 4 (the discriminator's stddev group) or below 4");
        if (dRegEvery < 1 || gRegEvery < 1 || pathBatchShrink < 1) throw new IllegalArgumentException("reg intervals and path_batch_shrink must be >= 1");
        if (mixing < 0 || mixing > 1) throw new IllegalArgumentException("mixing must be in [0, 1]");
        if (lr <= 0 || r1 < 0 || pathRegularize < 0 || emaKimg <= 0) throw new IllegalArgumentException("lr and ema_kimg must be > 0, r1 and path_regularize >= 0");
    }

    /** The small 64 px configuration: style_dim 128, n_mlp 4, channels {4:256, 8:256, 16:128, 32:64, 64:32}, batch 16. */
    public static GanOptions small64(long seed) {
        return defaults(64, 128, 4, parseChannels("4:256,8:256,16:128,32:64,64:32"), 16, seed);
    }

    /** rosinality's training defaults (lr 0.002, r1 10, d_reg_every 16, mixing 0.9), path-length regularisation off. */
    public static GanOptions defaults(int size, int styleDim, int nMlp, Map<Integer, Integer> channels, int batch, long seed) {
        return new GanOptions(size, styleDim, nMlp, channels, batch, 0.002, 10, 16, 0, 4, 2, 0.9, 10, seed);
    }

    public GeneratorConfig generatorConfig() {
        return new GeneratorConfig(size, styleDim, nMlp, channels);
    }

    /** 0.5 ** (batch / (ema_kimg * 1000)). */
    public double emaDecay() {
        return Math.pow(0.5, batch / (emaKimg * 1000));
    }

    /**
     * "4:256,8:256,..." -> map, resolution to channels; anything else is a {@link dev.styleclip.check.SettingException} of
     * {@code channels}.
     */
    public static Map<Integer, Integer> parseChannels(String s) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String part : s.split(",")) {
            String[] kv = part.trim().split(":");
            try {
                if (kv.length != 2) throw new NumberFormatException();
                int res = Integer.parseInt(kv[0].trim()), ch = Integer.parseInt(kv[1].trim());
                if (res < 4 || Integer.bitCount(res) != 1 || ch < 1) throw new NumberFormatException();
                m.put(res, ch);
            } catch (NumberFormatException e) {
                throw new dev.styleclip.check.SettingException("channels", "must list resolution:channels pairs such as "
                        + "4:256,8:256,16:128 (powers of two from 4, at least one channel each), not '" + s + "'");
            }
        }
        return m;
    }

    public static String formatChannels(Map<Integer, Integer> channels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(channels).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return sb.toString();
    }

    public GanOptions withBatch(int b) {
        return new GanOptions(size, styleDim, nMlp, channels, b, lr, r1, dRegEvery, pathRegularize, gRegEvery, pathBatchShrink, mixing, emaKimg, seed);
    }

    public GanOptions withR1(double r) {
        return new GanOptions(size, styleDim, nMlp, channels, batch, lr, r, dRegEvery, pathRegularize, gRegEvery, pathBatchShrink, mixing, emaKimg, seed);
    }

    public GanOptions withPathRegularize(double p) {
        return new GanOptions(size, styleDim, nMlp, channels, batch, lr, r1, dRegEvery, p, gRegEvery, pathBatchShrink, mixing, emaKimg, seed);
    }

    public GanOptions withMixing(double m) {
        return new GanOptions(size, styleDim, nMlp, channels, batch, lr, r1, dRegEvery, pathRegularize, gRegEvery, pathBatchShrink, m, emaKimg, seed);
    }

    public GanOptions withEmaKimg(double e) {
        return new GanOptions(size, styleDim, nMlp, channels, batch, lr, r1, dRegEvery, pathRegularize, gRegEvery, pathBatchShrink, mixing, e, seed);
    }

    /** As saved in checkpoints ({@code args}): rosinality's argument names where it has them. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("latent", styleDim);
        m.put("n_mlp", nMlp);
        m.put("channels", formatChannels(channels));
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("r1", r1);
        m.put("d_reg_every", dRegEvery);
        m.put("path_regularize", pathRegularize);
        m.put("g_reg_every", gRegEvery);
        m.put("path_batch_shrink", pathBatchShrink);
        m.put("mixing", mixing);
        m.put("ema_kimg", emaKimg);
        m.put("seed", seed);
        return m;
    }

    public static GanOptions fromMap(Map<?, ?> m) {
        return new GanOptions(i(m, "size"), i(m, "latent"), i(m, "n_mlp"), parseChannels(String.valueOf(m.get("channels"))), i(m, "batch"),
                d(m, "lr"), d(m, "r1"), i(m, "d_reg_every"), d(m, "path_regularize"), i(m, "g_reg_every"), i(m, "path_batch_shrink"),
                d(m, "mixing"), d(m, "ema_kimg"), ((Number) m.get("seed")).longValue());
    }

    private static int i(Map<?, ?> m, String k) {
        if (!(m.get(k) instanceof Number n)) throw new IllegalArgumentException("saved options lack '" + k + "'");
        return n.intValue();
    }

    private static double d(Map<?, ?> m, String k) {
        if (!(m.get(k) instanceof Number n)) throw new IllegalArgumentException("saved options lack '" + k + "'");
        return n.doubleValue();
    }
}
