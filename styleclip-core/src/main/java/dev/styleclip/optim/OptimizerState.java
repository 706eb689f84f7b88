package dev.styleclip.optim;

import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Tensors;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Helpers for saved optimizer states: {key: {'step': n, buffer: tensor}} as written or as read back. */
final class OptimizerState {
    private OptimizerState() {
    }

    static void checkKeys(Map<?, ?> saved, java.util.Set<String> keys) {
        if (!saved.keySet().equals(keys)) {
            throw new IllegalArgumentException("optimizer state is for parameters " + saved.keySet() + ", not " + keys);
        }
    }

    static long step(Map<?, ?> param) {
        return ((Number) param.get("step")).longValue();
    }

    /** A saved buffer as a float32 tensor of the given shape. */
    static Tensor buffer(String key, Map<?, ?> param, String name, long[] shape) {
        Object v = param.get(name);
        RawTensor raw = v instanceof TensorRef ref ? ref.read() : (RawTensor) v;
        if (raw == null) throw new IllegalArgumentException("optimizer state of " + key + " has no " + name);
        Tensor t = Tensors.fromRawAsFloat(raw);
        Tensors.checkShape(key + "." + name, t, shape);
        return t;
    }
}
