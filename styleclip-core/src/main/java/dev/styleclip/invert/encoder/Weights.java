package dev.styleclip.invert.encoder;

import dev.styleclip.tensor.StateDict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The tensors of one network as its modules take them from a {@link StateDict}, in the order they are taken (which is
 * the order of {@code Module.state_dict()}: per module its parameters, then its buffers). Each is a copy: training
 * updates them in place, and they must not alias the caller's tensors.
 */
final class Weights {
    private final StateDict sd;
    private final Map<String, Tensor> all = new LinkedHashMap<>();
    private final Set<String> buffers = new LinkedHashSet<>();

    Weights(StateDict sd) {
        this.sd = sd;
    }

    /**
     * A trainable parameter, owned by the scope open when it is taken (the network's); what reading or making it
     * needed on the way (the file's copy, an initialiser's intermediates) is freed at once.
     */
    Tensor parameter(String key, long... shape) {
        PointerScope owner = PointerScope.getInnerScope();
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            t = sd.take(key, shape).clone();
            if (owner != null) owner.attach(t);
            else dev.styleclip.tensor.Tensors.keep(scope, t);
        }
        all.put(key, t);
        return t;
    }

    /** A buffer (BatchNorm's running statistics): saved with the weights, never given to the optimizer. */
    Tensor buffer(String key, long... shape) {
        Tensor t = parameter(key, shape);
        buffers.add(key);
        return t;
    }

    /** Marks a key the network knows and does not keep (BatchNorm's num_batches_tracked). */
    void ignore(String key) {
        sd.ignore(key);
    }

    StateDict source() {
        return sd;
    }

    /** Every tensor, parameters and buffers, in state-dict order. */
    Map<String, Tensor> all() {
        return Collections.unmodifiableMap(all);
    }

    /** The parameters alone, in state-dict order. */
    Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, t) -> {
            if (!buffers.contains(k)) out.put(k, t);
        });
        return out;
    }
}
