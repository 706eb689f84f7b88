package dev.styleclip.clip;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Where CLIP's modules take their parameters from, by the reference's dotted keys and with their shapes: the weights
 * of a file as {@code clip.load} leaves them ({@link ConvertWeights}), or trainable float32 masters
 * ({@link TrainableWeights}). The modules say which kind each parameter is, as convert_weights decides by module
 * type; the source decides what that means for the forward pass. Parameters are taken in {@code state_dict} order
 * (a module's own parameters, then its submodules, as torch registers them), so {@link #tensors()} lists them in
 * the order of OpenAI's files.
 */
sealed interface ClipWeights permits ConvertWeights, TrainableWeights {
    /** A tensor that convert_weights makes float16 (Conv/Linear weights and biases, in_proj_*, proj, text_projection). */
    ClipParameter fp16RoundTrip(String key, long... shape);

    /** A tensor that convert_weights leaves in float32 (LayerNorms, class/positional embeddings, logit_scale). */
    ClipParameter fp32(String key, long... shape);

    /**
     * The token embedding: convert_weights leaves it in float32, but OpenAI's files (and ClipTrainer's) store it as
     * float16.
     */
    ClipParameter tokenEmbedding(String key, long... shape);

    /** Every tensor taken, by key, in the order taken (state_dict order). */
    Map<String, Tensor> tensors();

    /** Keys whose values the forward pass reads rounded to float16, in order. */
    Set<String> roundedKeys();

    /**
     * Runs {@code make} in its own scope and moves only its result to {@code owner}. Attach comes before detach:
     * detach releases a reference, and a pointer left with none is freed on the spot.
     */
    static Tensor keep(PointerScope owner, Supplier<Tensor> make) {
        try (PointerScope step = new PointerScope()) {
            Tensor t = make.get(); // a fresh handle made inside this scope (to() and clone() return new ones)
            owner.attach(t);
            step.detach(t);
            return t;
        }
    }
}
