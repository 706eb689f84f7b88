package dev.styleclip.train.clip;

import dev.styleclip.tensor.Conv;
import dev.styleclip.clip.ClipConfig;
import dev.styleclip.clip.ClipOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A ViT CLIP whose weights are float32 leaf tensors requiring gradients, keyed and ordered exactly as openai/CLIP's
 * {@code CLIP.state_dict()}, with the forward pass of {@link dev.styleclip.clip.ClipModel} written over them.
 *
 * <p>fp16 consistency: {@code clip.load} (and so {@code ClipModel.load}) rounds every tensor that
 * {@code convert_weights} converts to float16 and back. The forward pass here uses the same rounded values
 * (straight-through: {@code p + (round16(p) - p).detach()}, so the gradient reaches the float32 master weight
 * unchanged), and the token embedding is rounded as well (the saved file stores it as float16, which the loader
 * widens exactly). So the model being trained computes what the saved file computes once loaded: the image
 * features bit for bit, the text features up to float summation order (see {@link #encodeText}).
 */
final class TrainableClip {
    final ClipConfig cfg;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    /** Keys stored as float16 in the model file and rounded to fp16 in the forward pass. */
    private final Set<String> halfKeys = new LinkedHashSet<>();
    private final Tensor mask;

    private TrainableClip(ClipConfig cfg) {
        this.cfg = cfg;
        this.mask = ClipOps.causalMask(cfg.contextLength());
    }

    /** Shapes of every key in state_dict order, and which keys convert_weights converts. */
    static Map<String, long[]> layout(ClipConfig c, Set<String> convertKeys) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long w = c.transformerWidth(), vw = c.visionWidth(), grid = c.grid();
        m.put("positional_embedding", new long[] {c.contextLength(), w});
        m.put("text_projection", new long[] {w, c.embedDim()});
        convertKeys.add("text_projection");
        m.put("logit_scale", new long[] {});
        m.put("visual.class_embedding", new long[] {vw});
        m.put("visual.positional_embedding", new long[] {grid * grid + 1, vw});
        m.put("visual.proj", new long[] {vw, c.embedDim()});
        convertKeys.add("visual.proj");
        m.put("visual.conv1.weight", new long[] {vw, 3, c.visionPatchSize(), c.visionPatchSize()});
        convertKeys.add("visual.conv1.weight");
        m.put("visual.ln_pre.weight", new long[] {vw});
        m.put("visual.ln_pre.bias", new long[] {vw});
        blocks(m, convertKeys, "visual.transformer.resblocks.", vw, c.visionLayers());
        m.put("visual.ln_post.weight", new long[] {vw});
        m.put("visual.ln_post.bias", new long[] {vw});
        blocks(m, convertKeys, "transformer.resblocks.", w, c.transformerLayers());
        m.put("token_embedding.weight", new long[] {c.vocabSize(), w});
        m.put("ln_final.weight", new long[] {w});
        m.put("ln_final.bias", new long[] {w});
        return m;
    }

    private static void blocks(Map<String, long[]> m, Set<String> conv, String prefix, long w, int layers) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            put(m, conv, p + "attn.in_proj_weight", true, 3 * w, w);
            put(m, conv, p + "attn.in_proj_bias", true, 3 * w);
            put(m, conv, p + "attn.out_proj.weight", true, w, w);
            put(m, conv, p + "attn.out_proj.bias", true, w);
            put(m, conv, p + "ln_1.weight", false, w);
            put(m, conv, p + "ln_1.bias", false, w);
            put(m, conv, p + "mlp.c_fc.weight", true, 4 * w, w);
            put(m, conv, p + "mlp.c_fc.bias", true, 4 * w);
            put(m, conv, p + "mlp.c_proj.weight", true, w, 4 * w);
            put(m, conv, p + "mlp.c_proj.bias", true, w);
            put(m, conv, p + "ln_2.weight", false, w);
            put(m, conv, p + "ln_2.bias", false, w);
        }
    }

    private static void put(Map<String, long[]> m, Set<String> conv, String k, boolean half, long... shape) {
        m.put(k, shape);
        if (half) conv.add(k);
    }

    /**
     * Fresh weights as openai/CLIP initialises them after {@code torch.manual_seed(seed)} (values, not PyTorch's
     * random stream): {@code initialize_parameters} for the embeddings, the text transformer (attn_std, proj_std,
     * fc_std) and text_projection; {@code VisionTransformer.__init__} (scale = width^-0.5) for the class/positional
     * embeddings and proj; PyTorch's module defaults for the rest (conv1 and the image blocks' Linear layers
     * U(+-1/sqrt(fan_in)), in_proj xavier_uniform, attention biases 0, LayerNorm 1/0); logit_scale = ln(1/0.07).
     */
    static TrainableClip init(ClipConfig c, long seed, PointerScope owner) {
        TrainableClip m = keepIn(owner, () -> new TrainableClip(c));
        Set<String> conv = new LinkedHashSet<>();
        Map<String, long[]> layout = layout(c, conv);
        torch.manual_seed(seed);
        try (NoGradGuard ng = new NoGradGuard(); PointerScope temporaries = new PointerScope()) {
            double w = c.transformerWidth(), vw = c.visionWidth();
            double projStd = Math.pow(w, -0.5) * Math.pow(2.0 * c.transformerLayers(), -0.5);
            double attnStd = Math.pow(w, -0.5);
            double fcStd = Math.pow(2.0 * w, -0.5);
            for (Map.Entry<String, long[]> e : layout.entrySet()) {
                String k = e.getKey();
                long[] s = e.getValue();
                Tensor t;
                if (k.equals("logit_scale")) {
                    t = torch.full(s, new Scalar(Math.log(1 / 0.07)));
                } else if (k.equals("token_embedding.weight")) {
                    t = normal(s, 0.02);
                } else if (k.equals("positional_embedding")) {
                    t = normal(s, 0.01);
                } else if (k.equals("text_projection")) {
                    t = normal(s, Math.pow(w, -0.5));
                } else if (k.startsWith("visual.") && (k.equals("visual.class_embedding")
                        || k.equals("visual.positional_embedding") || k.equals("visual.proj"))) {
                    t = normal(s, Math.pow(vw, -0.5));
                } else if (k.contains("ln_") && k.endsWith(".weight")) {
                    t = torch.ones(s);
                } else if (k.contains("ln_") || k.endsWith("attn.in_proj_bias") || k.endsWith("attn.out_proj.bias")) {
                    t = torch.zeros(s);
                } else if (k.startsWith("transformer.")) { // text blocks: initialize_parameters
                    if (k.endsWith("in_proj_weight")) t = normal(s, attnStd);
                    else if (k.endsWith("out_proj.weight") || k.endsWith("c_proj.weight")) t = normal(s, projStd);
                    else if (k.endsWith("c_fc.weight")) t = normal(s, fcStd);
                    else t = uniform(s, 1 / Math.sqrt(fanIn(layout, k))); // c_fc / c_proj biases: nn.Linear default
                } else if (k.endsWith("in_proj_weight")) {
                    t = uniform(s, Math.sqrt(6.0 / (s[0] / 3 + s[1]))); // xavier_uniform_ on [3W, W]: fan = W + W
                } else { // conv1, image blocks' Linear weights and biases: kaiming_uniform(a=sqrt(5)) / bias bound
                    t = uniform(s, 1 / Math.sqrt(fanIn(layout, k)));
                }
                Tensor made = t;
                Tensor leaf = keepIn(owner, () -> made.clone());
                leaf.set_requires_grad(true);
                m.params.put(k, leaf);
            }
        }
        m.halfKeys.addAll(conv);
        m.halfKeys.add("token_embedding.weight");
        return m;
    }

    /** Weights from a map in any order (a train state); they become leaves requiring gradients. */
    static TrainableClip of(ClipConfig c, Map<String, Tensor> values, PointerScope owner) {
        TrainableClip m = keepIn(owner, () -> new TrainableClip(c));
        Set<String> conv = new LinkedHashSet<>();
        Map<String, long[]> layout = layout(c, conv);
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            Tensor v = values.get(e.getKey());
            if (v == null) throw new IllegalArgumentException("training state lacks " + e.getKey());
            if (!java.util.Arrays.equals(v.shape(), e.getValue())) throw new IllegalArgumentException("training state: " + e.getKey() + " has the wrong shape");
            Tensor t = keepIn(owner, () -> v.detach().to(ScalarType.Float).clone());
            t.set_requires_grad(true);
            m.params.put(e.getKey(), t);
        }
        m.halfKeys.addAll(conv);
        m.halfKeys.add("token_embedding.weight");
        return m;
    }

    /**
     * Runs {@code make} in its own scope and moves its result (a tensor, or an object whose constructor made tensors
     * such as the mask) to {@code owner}; temporaries are freed at once.
     */
    private static <T> T keepIn(PointerScope owner, java.util.function.Supplier<T> make) {
        try (PointerScope step = new PointerScope()) {
            T t = make.get();
            if (t instanceof Tensor tensor) {
                owner.attach(tensor);
                step.detach(tensor);
            } else if (t instanceof TrainableClip m) {
                owner.attach(m.mask);
                step.detach(m.mask);
            }
            return t;
        }
    }

    /** fan_in of a weight, or of the weight its bias belongs to. */
    private static long fanIn(Map<String, long[]> layout, String key) {
        String wk = key.endsWith(".bias") ? key.substring(0, key.length() - 5) + ".weight" : key;
        long[] s = layout.get(wk);
        long f = 1;
        for (int i = 1; i < s.length; i++) f *= s[i];
        return f;
    }

    private static Tensor normal(long[] s, double std) {
        return torch.randn(s).mul(new Scalar(std));
    }

    private static Tensor uniform(long[] s, double bound) {
        return torch.rand(s).mul(new Scalar(2 * bound)).sub(new Scalar(bound));
    }

    Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    Set<String> halfKeys() {
        return Collections.unmodifiableSet(halfKeys);
    }

    List<String> keys() {
        return new ArrayList<>(params.keySet());
    }

    /** Straight-through fp16 round trip: the value of round16(x), the gradient of x. */
    static Tensor round16(Tensor x) {
        Tensor d = x.detach();
        return x.add(d.to(ScalarType.Half).to(ScalarType.Float).sub(d));
    }

    /** A parameter as the forward pass sees it (rounded if it is one of convert_weights' tensors). */
    private Tensor p(String key) {
        Tensor t = params.get(key);
        return halfKeys.contains(key) && !key.equals("token_embedding.weight") ? round16(t) : t;
    }

    /** encode_image on preprocessed images [N, 3, R, R] (see {@link GeneratorToClip}). */
    Tensor encodeImage(Tensor x) {
        long n = x.size(0);
        int width = cfg.visionWidth(), patch = cfg.visionPatchSize();
        Tensor t = Conv.conv2d(x, p("visual.conv1.weight"), null, new long[] {patch, patch}, new long[] {0, 0}, 1);
        t = t.reshape(n, width, -1).permute(0, 2, 1);
        Tensor cls = p("visual.class_embedding").view(1, 1, width).expand(n, 1, width);
        t = torch.cat(new TensorVector(cls, t), 1).add(p("visual.positional_embedding"));
        t = ClipOps.layerNorm(t, p("visual.ln_pre.weight"), p("visual.ln_pre.bias"));
        t = transformer(t, "visual.transformer.resblocks.", cfg.visionLayers(), cfg.visionHeads(), null);
        Tensor classToken = ClipOps.layerNorm(t.select(1, 0), p("visual.ln_post.weight"), p("visual.ln_post.bias"));
        return classToken.matmul(p("visual.proj"));
    }

    /**
     * encode_text on token ids [N, context] int64. Only the first L positions are computed, L being one past the
     * last end-of-text position in the batch: with the causal mask, the feature at the end token does not depend on
     * later positions, so the result is the full-context one up to float rounding (the matrices are smaller, so
     * BLAS may sum in another order; differences are ~1e-7). Captions are short, so this saves most of the text cost.
     */
    Tensor encodeText(Tensor ids) {
        long n = ids.size(0);
        int width = cfg.transformerWidth();
        Tensor pool = torch.argmax(ids, new LongOptional(-1), false); // [N]
        long len = n == 0 ? 1 : pool.max().item_long() + 1;
        Tensor used = ids.narrow(1, 0, len);
        // gathering rows commutes with rounding: embedding(round16(W)) == round16(embedding(W)), and is cheaper
        Tensor x = round16(torch.embedding(params.get("token_embedding.weight"), used))
                .add(p("positional_embedding").narrow(0, 0, len));
        Tensor m = mask.narrow(0, 0, len).narrow(1, 0, len);
        x = transformer(x, "transformer.resblocks.", cfg.transformerLayers(), cfg.transformerHeads(), m);
        x = ClipOps.layerNorm(x, p("ln_final.weight"), p("ln_final.bias"));
        Tensor at = pool.view(n, 1, 1).expand(n, 1, width);
        return x.gather(1, at, false).squeeze(1).matmul(p("text_projection"));
    }

    private Tensor transformer(Tensor x, String prefix, int layers, int heads, Tensor attnMask) {
        for (int i = 0; i < layers; i++) {
            String b = prefix + i + ".";
            Tensor a = ClipOps.layerNorm(x, p(b + "ln_1.weight"), p(b + "ln_1.bias"));
            x = x.add(ClipOps.multiHeadAttention(a, p(b + "attn.in_proj_weight"), p(b + "attn.in_proj_bias"),
                    p(b + "attn.out_proj.weight"), p(b + "attn.out_proj.bias"), heads, attnMask));
            Tensor m = ClipOps.layerNorm(x, p(b + "ln_2.weight"), p(b + "ln_2.bias"));
            Tensor h = ClipOps.quickGelu(ClipOps.linear(m, p(b + "mlp.c_fc.weight"), p(b + "mlp.c_fc.bias")));
            x = x.add(ClipOps.linear(h, p(b + "mlp.c_proj.weight"), p(b + "mlp.c_proj.bias")));
        }
        return x;
    }

    /** logit_scale, the log of the logits' temperature. */
    Tensor logitScale() {
        return params.get("logit_scale");
    }
}
