package dev.styleclip.optim;

import dev.styleclip.optim.Adam;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The coach's alternative optimizer, {@code torch.optim.Adam(mapper params, lr=opts.learning_rate)} with torch's
 * defaults: the project's {@link Adam}, with its state saved and restored by parameter key.
 */
final class AdamOptimizer implements KeyedOptimizer {
    private final List<String> keys;
    private final List<Tensor> params;
    private final Adam adam;
    private final PointerScope owned;

    AdamOptimizer(Map<String, Tensor> params, double lr) {
        this.keys = List.copyOf(params.keySet());
        this.params = new ArrayList<>(params.values());
        this.owned = new PointerScope(); // owns the moments Adam makes
        try {
            this.adam = new Adam(this.params, lr);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend();
        owned.close();
    }

    @Override
    public OptimizerName name() {
        return OptimizerName.ADAM;
    }

    @Override
    public void step() {
        try (PointerScope scope = new PointerScope()) {
            adam.step();
        }
    }

    @Override
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope()) {
            adam.zeroGrad();
        }
    }

    @Override
    public long steps() {
        return keys.isEmpty() ? 0 : adam.stepCount(0);
    }

    @Override
    public Map<String, Object> stateDict() {
        try (PointerScope scope = new PointerScope()) {
            return adam.stateDict(keys);
        }
    }

    @Override
    public void loadStateDict(Map<?, ?> saved) {
        adam.loadStateDict(keys, saved);
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
