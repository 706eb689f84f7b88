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
 * Trainable CLIP weights: each parameter a float32 master, a copy of the {@link StateDict}'s tensor that requires
 * gradients. The forward pass reads what a file in OpenAI's layout stores as float16 (convert_weights' tensors and the
 * token embedding) through a straight-through fp16 round trip ({@link ClipParameter.RoundedToHalf}), and the rest as
 * it is: so the model being trained computes what its weights compute once saved that way and loaded by
 * {@link ClipModel#load} (which widens the float16 values exactly and rounds convert_weights' tensors again, a no-op
 * on values already rounded).
 */
final class TrainableWeights implements ClipWeights {
    private final StateDict sd;
    private final PointerScope owner;
    private final Map<String, Tensor> masters = new LinkedHashMap<>();
    private final Set<String> rounded = new LinkedHashSet<>();

    /** @param owner the scope that owns the masters until the model is closed */
    TrainableWeights(StateDict sd, PointerScope owner) {
        this.sd = sd;
        this.owner = owner;
    }

    @Override
    public ClipParameter fp16RoundTrip(String key, long... shape) {
        rounded.add(key);
        return new ClipParameter.RoundedToHalf(master(key, shape));
    }

    @Override
    public ClipParameter fp32(String key, long... shape) {
        return new ClipParameter.Fixed(master(key, shape));
    }

    /** Rounded, straight-through, because the file stores it as float16. */
    @Override
    public ClipParameter tokenEmbedding(String key, long... shape) {
        rounded.add(key);
        return new ClipParameter.RoundedToHalf(master(key, shape));
    }

    @Override
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(masters);
    }

    @Override
    public Set<String> roundedKeys() {
        return Collections.unmodifiableSet(rounded);
    }

    private Tensor master(String key, long[] shape) {
        Tensor m = ClipWeights.keep(owner, () -> sd.take(key, shape).detach().to(ScalarType.Float).clone());
        m.set_requires_grad(true);
        masters.put(key, m);
        return m;
    }
}
