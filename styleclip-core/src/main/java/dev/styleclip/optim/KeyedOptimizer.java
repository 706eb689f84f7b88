package dev.styleclip.optim;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The coach's optimizer over the mapper's parameters ({@code configure_optimizers}): it updates them in place from
 * their {@code .grad()} as {@code torch.optim.Optimizer.step()} does. Its state (per-parameter moments and step
 * counts) can be saved and restored exactly, so that a resumed run continues as if it had not stopped.
 */
public interface KeyedOptimizer extends AutoCloseable {
    /** The reference's name for this optimizer (opts.optim_name). */
    OptimizerName name();

    /** One update of every parameter that has a gradient, in parameter order. */
    void step();

    /** optimizer.zero_grad(): clears every parameter's gradient. */
    void zeroGrad();

    /** The step count (all parameters advance together). */
    long steps();

    /** The state as data: {key: {'step': n, buffer name: tensor, ...}}, copies of the buffers. */
    Map<String, Object> stateDict();

    /** Restores {@link #stateDict()} output (as written, or as read back from a file: tensors as TensorRef). */
    void loadStateDict(Map<?, ?> saved);

    @Override
    void close();

    /** coach.configure_optimizers: Ranger(params, lr) or torch.optim.Adam(params, lr). */
    static KeyedOptimizer create(OptimizerName name, Map<String, Tensor> params, double lr) {
        return switch (name) {
            case RANGER -> new Ranger(params, Ranger.Config.withLr(lr));
            case ADAM -> new AdamOptimizer(params, lr);
        };
    }
}
