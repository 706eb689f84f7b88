package dev.styleclip.clip;

import dev.styleclip.tensor.StateDict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Takes a CLIP model's weights from a {@link StateDict} the way {@code clip.load(..., device="cpu")} leaves them:
 * {@code build_model} calls {@code convert_weights} (openai/CLIP {@code clip/model.py}) before
 * {@code load_state_dict}, so every Conv/Linear weight and bias, the packed attention {@code in_proj_*}, and the
 * {@code text_projection} / {@code proj} matrices are stored in float16; {@code clip.load} then calls
 * {@code model.float()} on CPU. Those tensors therefore go through an fp16 round trip (round to nearest even),
 * even when the checkpoint holds float32; embeddings, LayerNorms, class/positional embeddings and
 * {@code logit_scale} keep their float32 values.
 *
 * <p>The round trip happens once, here: the parameters are {@link ClipParameter.Fixed} tensors, which never require
 * gradients. Each tensor kept is attached to the model's weight scope; the temporaries of reading and rounding are
 * freed at once.
 */
final class ConvertWeights implements ClipWeights {
    private final StateDict sd;
    private final PointerScope owner;
    private final Map<String, Tensor> taken = new LinkedHashMap<>();
    private final Set<String> rounded = new LinkedHashSet<>();

    /** @param owner the scope that owns the model's weights until the model is closed */
    ConvertWeights(StateDict sd, PointerScope owner) {
        this.sd = sd;
        this.owner = owner;
    }

    /** Taken, rounded to fp16, widened back to float32. */
    @Override
    public ClipParameter fp16RoundTrip(String key, long... shape) {
        rounded.add(key);
        return fixed(key, ClipWeights.keep(owner, () -> sd.take(key, shape).to(ScalarType.Half).to(ScalarType.Float)));
    }

    @Override
    public ClipParameter fp32(String key, long... shape) {
        return fixed(key, ClipWeights.keep(owner, () -> sd.take(key, shape).to(ScalarType.Float)));
    }

    /** As clip.load leaves it: float32 (a file's float16 values widen exactly). */
    @Override
    public ClipParameter tokenEmbedding(String key, long... shape) {
        return fp32(key, shape);
    }

    @Override
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(taken);
    }

    /** Keys taken through the fp16 round trip, in order. */
    @Override
    public Set<String> roundedKeys() {
        return Collections.unmodifiableSet(rounded);
    }

    private ClipParameter fixed(String key, Tensor t) {
        taken.put(key, t);
        return new ClipParameter.Fixed(t);
    }
}
