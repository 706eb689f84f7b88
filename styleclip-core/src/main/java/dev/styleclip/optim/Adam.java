package dev.styleclip.optim;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * torch.optim.Adam as PyTorch 1.13 runs it ({@code _single_tensor_adam}, no weight decay, no amsgrad), with
 * the learning rate settable per step as StyleCLIP's loops do. Parameters without a gradient are skipped, as
 * torch skips {@code grad is None}. The moments live outside any step's scope: they are the optimizer's
 * state, kept on purpose across steps (and exposed for checkpoints).
 */
public final class Adam {
    private final List<Tensor> params;
    private final List<Tensor> expAvg = new ArrayList<>();
    private final List<Tensor> expAvgSq = new ArrayList<>();
    private final long[] steps;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private double lr;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.steps = new long[params.size()];
        try (NoGradGuard ng = new NoGradGuard()) {
            for (Tensor p : params) {
                expAvg.add(torch.zeros_like(p));
                expAvgSq.add(torch.zeros_like(p));
            }
        }
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    public double lr() {
        return lr;
    }

    /** The step count of parameter i (torch's state['step']). */
    public long stepCount(int i) {
        return steps[i];
    }

    /** optimizer.zero_grad() as 1.13 does it by default: existing gradients are zeroed in place. */
    public void zeroGrad() {
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g.defined()) g.zero_();
        }
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (!g.defined()) continue;
                long t = ++steps[i];
                expAvg.get(i).mul_(new Scalar(beta1)).add_(g, new Scalar(1 - beta1));
                expAvgSq.get(i).mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
                Tensor denom = expAvgSq.get(i).sqrt().div(new Scalar(bc2Sqrt)).add(new Scalar(eps));
                p.addcdiv_(expAvg.get(i), denom, new Scalar(-lr / bc1));
            }
        }
    }

    /** First and second moments of parameter i (for checkpoints). */
    public Tensor[] moments(int i) {
        return new Tensor[] {expAvg.get(i), expAvgSq.get(i)};
    }

    /** Restores state saved from {@link #moments} and {@link #stepCount}. */
    public void restore(int i, Tensor expAvgValue, Tensor expAvgSqValue, long step) {
        try (NoGradGuard ng = new NoGradGuard()) {
            expAvg.get(i).copy_(expAvgValue);
            expAvgSq.get(i).copy_(expAvgSqValue);
        }
        steps[i] = step;
    }

    /**
     * The state as torch's {@code optimizer.state_dict()['state']} holds it, keyed by parameter name:
     * {@code {key: {'step': n, 'exp_avg': ..., 'exp_avg_sq': ...}}}, copies of the moments; {@code keys} names the
     * parameters in the order this optimizer was given them.
     */
    public java.util.Map<String, Object> stateDict(List<String> keys) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
            s.put("step", stepCount(i));
            s.put("exp_avg", dev.styleclip.tensor.Tensors.toRaw(expAvg.get(i)));
            s.put("exp_avg_sq", dev.styleclip.tensor.Tensors.toRaw(expAvgSq.get(i)));
            out.put(keys.get(i), s);
        }
        return out;
    }

    /**
     * Restores {@link #stateDict} output, as written or as read back from a file (tensors as {@code RawTensor} or
     * {@code TensorRef}); the keys and every moment's shape must match, or an {@link IllegalArgumentException} says
     * which does not.
     */
    public void loadStateDict(List<String> keys, java.util.Map<?, ?> saved) {
        OptimizerState.checkKeys(saved, new java.util.LinkedHashSet<>(keys));
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            for (int i = 0; i < keys.size(); i++) {
                java.util.Map<?, ?> s = (java.util.Map<?, ?>) saved.get(keys.get(i));
                long[] shape = params.get(i).shape();
                restore(i, OptimizerState.buffer(keys.get(i), s, "exp_avg", shape), OptimizerState.buffer(keys.get(i), s, "exp_avg_sq", shape),
                        OptimizerState.step(s));
            }
        }
    }
}
