package dev.styleclip.clip;

import dev.styleclip.tensor.StateDict;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
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
 * <p>The modules say which kind each parameter is ({@link #fp16RoundTrip} for what convert_weights converts,
 * {@link #fp32} for the rest), as the reference decides by module type. Each tensor kept is attached to the
 * model's weight scope; the temporaries of reading and rounding are freed at once.
 */
final class ConvertWeights {
    private final StateDict sd;
    private final PointerScope owner;
    private final Set<String> rounded = new LinkedHashSet<>();

    /** @param owner the scope that owns the model's weights until the model is closed */
    ConvertWeights(StateDict sd, PointerScope owner) {
        this.sd = sd;
        this.owner = owner;
    }

    /** A tensor that convert_weights makes float16: taken, rounded to fp16, widened back to float32. */
    Tensor fp16RoundTrip(String key, long... shape) {
        rounded.add(key);
        return keep(() -> sd.take(key, shape).to(ScalarType.Half).to(ScalarType.Float));
    }

    /** A tensor that convert_weights leaves in float32. */
    Tensor fp32(String key, long... shape) {
        return keep(() -> sd.take(key, shape).to(ScalarType.Float));
    }

    /** Keys taken through the fp16 round trip, in order. */
    Set<String> roundedKeys() {
        return Collections.unmodifiableSet(rounded);
    }

    /**
     * Runs {@code make} in its own scope and moves only its result to the owner. Attach comes before detach:
     * detach releases a reference, and a pointer left with none is freed on the spot.
     */
    private Tensor keep(Supplier<Tensor> make) {
        try (PointerScope step = new PointerScope()) {
            Tensor t = make.get(); // a fresh handle made inside this scope (to() returns a new one)
            owner.attach(t);
            step.detach(t);
            return t;
        }
    }
}
