package dev.styleclip.train.clip;

import dev.styleclip.clip.ClipConfig;
import dev.styleclip.tensor.StateDict;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Fresh weights for a ViT CLIP as openai/CLIP initialises them after {@code torch.manual_seed(seed)} (values, not
 * PyTorch's random stream): {@code initialize_parameters} for the embeddings, the text transformer (attn_std, proj_std,
 * fc_std) and text_projection; {@code VisionTransformer.__init__} (scale = width^-0.5) for the class/positional
 * embeddings and proj; PyTorch's module defaults for the rest (conv1 and the image blocks' Linear layers
 * U(+-1/sqrt(fan_in)), in_proj xavier_uniform, attention biases 0, LayerNorm 1/0); logit_scale = ln(1/0.07).
 *
 * <p>The values are drawn in the order the model takes its parameters, which is state_dict order
 * ({@link dev.styleclip.clip.ClipModel#parameters()}).
 */
final class ClipInit {
    private final ClipConfig cfg;
    /** Shapes of the keys made so far: a bias's bound is its weight's fan_in, and a weight comes before its bias. */
    private final Map<String, long[]> made = new HashMap<>();

    private ClipInit(ClipConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * The initial weights of a model of configuration {@code c}, seeded now: hand them to
     * {@link dev.styleclip.clip.ClipModel#trainable} at once, before anything else draws random numbers.
     */
    static StateDict weights(ClipConfig c, long seed) {
        torch.manual_seed(seed);
        return StateDict.generated("CLIP initialised from seed " + seed, new ClipInit(c)::initial);
    }

    private Tensor initial(String k, long[] s) {
        made.put(k, s);
        double w = cfg.transformerWidth(), vw = cfg.visionWidth();
        double projStd = Math.pow(w, -0.5) * Math.pow(2.0 * cfg.transformerLayers(), -0.5);
        double attnStd = Math.pow(w, -0.5);
        double fcStd = Math.pow(2.0 * w, -0.5);
        if (k.equals("logit_scale")) return torch.full(s, new Scalar(Math.log(1 / 0.07)));
        if (k.equals("token_embedding.weight")) return normal(s, 0.02);
        if (k.equals("positional_embedding")) return normal(s, 0.01);
        if (k.equals("text_projection")) return normal(s, Math.pow(w, -0.5));
        if (k.equals("visual.class_embedding") || k.equals("visual.positional_embedding") || k.equals("visual.proj")) {
            return normal(s, Math.pow(vw, -0.5));
        }
        if (k.contains("ln_") && k.endsWith(".weight")) return torch.ones(s);
        if (k.contains("ln_") || k.endsWith("attn.in_proj_bias") || k.endsWith("attn.out_proj.bias")) return torch.zeros(s);
        if (k.startsWith("transformer.")) { // text blocks: initialize_parameters
            if (k.endsWith("in_proj_weight")) return normal(s, attnStd);
            if (k.endsWith("out_proj.weight") || k.endsWith("c_proj.weight")) return normal(s, projStd);
            if (k.endsWith("c_fc.weight")) return normal(s, fcStd);
            return uniform(s, 1 / Math.sqrt(fanIn(k))); // c_fc / c_proj biases: nn.Linear default
        }
        if (k.endsWith("in_proj_weight")) return uniform(s, Math.sqrt(6.0 / (s[0] / 3 + s[1]))); // xavier_uniform_ on [3W, W]: fan = W + W
        // conv1, image blocks' Linear weights and biases: kaiming_uniform(a=sqrt(5)) / bias bound
        return uniform(s, 1 / Math.sqrt(fanIn(k)));
    }

    /** fan_in of a weight, or of the weight its bias belongs to. */
    private long fanIn(String key) {
        String wk = key.endsWith(".bias") ? key.substring(0, key.length() - 5) + ".weight" : key;
        long[] s = made.get(wk);
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
}
