package dev.styleclip.edit.mapper;

import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * An optimizer over the mapper's parameters, updating them in place from their {@code .grad()} as
 * {@code torch.optim.Optimizer.step()} does. Its state (per-parameter moments and step counts) is owned by the
 * optimizer and can be saved and restored exactly, so that a resumed run continues as if it had not stopped.
 */
public abstract class MapperOptimizer implements AutoCloseable {
    /** Per-parameter state: the step count and named buffers (exp_avg, exp_avg_sq, ...). */
    protected static final class ParamState {
        long step;
        final Map<String, Tensor> buffers = new LinkedHashMap<>();
    }

    protected final Map<String, Tensor> params;
    protected final Map<String, ParamState> state = new LinkedHashMap<>();
    private final PointerScope owned;

    /** @param params the live parameters, keyed (named_parameters order); updated in place */
    protected MapperOptimizer(Map<String, Tensor> params, List<String> bufferNames) {
        this.params = new LinkedHashMap<>(params);
        this.owned = new PointerScope();
        try (NoGradGuard ng = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                ParamState s = new ParamState();
                for (String b : bufferNames) s.buffers.put(b, initialBuffer(b, e.getValue()));
                state.put(e.getKey(), s);
            }
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend(); // the state lives until close()
        owned.close();
    }

    /** A new state buffer for {@code p} (zeros, or a copy of the weights for Lookahead's slow buffer). */
    protected abstract Tensor initialBuffer(String name, Tensor p);

    /** The reference's name for this optimizer (opts.optim_name). */
    public abstract OptimizerName name();

    /** Updates one parameter; runs under no_grad inside a scope that frees temporaries. */
    protected abstract void update(Tensor p, Tensor grad, ParamState s);

    /** One step over every parameter that has a gradient, in parameter order. */
    public final void step() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor grad = e.getValue().grad();
                if (grad == null || !grad.defined()) continue;
                update(e.getValue(), grad, state.get(e.getKey()));
            }
        }
    }

    /** optimizer.zero_grad(): clears every parameter's gradient. */
    public final void zeroGrad() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (Tensor p : params.values()) {
                Tensor g = p.grad();
                if (g != null && g.defined()) g.zero_();
            }
        }
    }

    /** The step count of the first parameter (all advance together). */
    public long steps() {
        return state.isEmpty() ? 0 : state.values().iterator().next().step;
    }

    /** The state as data: {key: {'step': n, buffer: tensor, ...}}, copies of the buffers. */
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            state.forEach((k, s) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", s.step);
                s.buffers.forEach((b, t) -> m.put(b, Tensors.toRaw(t)));
                out.put(k, m);
            });
        }
        return out;
    }

    /** Restores {@link #stateDict()} output (as written, or as read back from a file: tensors as TensorRef). */
    public void loadStateDict(Map<?, ?> saved) {
        if (!saved.keySet().equals(state.keySet())) {
            throw new IllegalArgumentException("optimizer state is for parameters " + saved.keySet() + ", not " + state.keySet());
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            state.forEach((k, s) -> {
                Map<?, ?> m = (Map<?, ?>) saved.get(k);
                s.step = ((Number) m.get("step")).longValue();
                s.buffers.forEach((b, t) -> {
                    Object v = m.get(b);
                    RawTensor raw = v instanceof TensorRef ref ? ref.read() : (RawTensor) v;
                    if (raw == null) throw new IllegalArgumentException("optimizer state of " + k + " has no " + b);
                    Tensor src = Tensors.fromRawAsFloat(raw);
                    Tensors.checkShape(k + "." + b, src, t.shape());
                    t.copy_(src);
                });
            });
        }
    }

    /** A new optimizer of the given kind over {@code params}, with the coach's settings. */
    public static MapperOptimizer create(OptimizerName name, Map<String, Tensor> params, double lr) {
        return switch (name) {
            case RANGER -> new Ranger(params, Ranger.Config.withLr(lr));
            case ADAM -> new Adam(params, Adam.Config.withLr(lr));
        };
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
