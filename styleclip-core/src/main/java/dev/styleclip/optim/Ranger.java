package dev.styleclip.optim;

import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Ranger (version 20.4.11), the mapper coach's default optimizer: StyleCLIP mapper/training/ranger.py. RAdam with
 * gradient centralisation, wrapped in Lookahead:
 * <ul>
 *   <li>gradient centralisation: a gradient of more than one dimension loses its mean over all dimensions but the
 *   first (a weight row's mean over its inputs); biases are untouched;</li>
 *   <li>moments: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2};</li>
 *   <li>rectification: with {@code N_sma = N_max - 2 t b2^t / (1 - b2^t)}, {@code N_max = 2 / (1 - b2) - 1}, steps with
 *   {@code N_sma > 5} (from step 6 with b2 = 0.999) take {@code p -= lr r_t m / (sqrt(v) + eps)}, the others plain
 *   momentum {@code p -= lr / (1 - b1^t) m};</li>
 *   <li>Lookahead: every k steps {@code slow += alpha (p - slow)}, {@code p = slow}; slow starts at the initial weights.</li>
 * </ul>
 * Same operations in the same order as the reference (float32 tensors, float64 step sizes), so the updates agree
 * to rounding. Ranger's weight_decay (0 as the coach builds it) is not implemented.
 */
public final class Ranger implements KeyedOptimizer {
    /**
     * @param lr             learning rate (the coach passes opts.learning_rate, default 0.5)
     * @param alpha          Lookahead's slow-weight step (0.5)
     * @param k              Lookahead's interval in steps (6)
     * @param nSmaThreshold  RAdam's rectification threshold N_sma_threshhold (5)
     * @param beta1          first-moment decay (0.95)
     * @param beta2          second-moment decay (0.999)
     * @param eps            added to sqrt(v) (1e-5)
     * @param useGc          gradient centralisation (on)
     */
    public record Config(double lr, double alpha, int k, double nSmaThreshold, double beta1, double beta2, double eps,
                         boolean useGc) {
        /** Ranger's defaults, as the coach builds it: {@code Ranger(params, lr=opts.learning_rate)}. */
        public static Config withLr(double lr) {
            return new Config(lr, 0.5, 6, 5, 0.95, 0.999, 1e-5, true);
        }
    }

    /** Per-parameter state: ranger.py's state['step'], 'exp_avg', 'exp_avg_sq', 'slow_buffer'. */
    private static final class ParamState {
        long step;
        Tensor expAvg;
        Tensor expAvgSq;
        Tensor slowBuffer;
    }

    private final Config cfg;
    private final Map<String, Tensor> params;
    private final Map<String, ParamState> state = new LinkedHashMap<>();
    private final PointerScope owned;

    /**
     * @param params the live parameters, keyed (named_parameters order); updated in place. The slow weights start as
     *               their current values (ranger.py copies them at the first step, before any update).
     */
    public Ranger(Map<String, Tensor> params, Config cfg) {
        this.cfg = cfg;
        this.params = new LinkedHashMap<>(params);
        this.owned = new PointerScope();
        try (NoGradGuard ng = new NoGradGuard()) {
            params.forEach((k, p) -> {
                ParamState s = new ParamState();
                s.expAvg = torch.zeros_like(p);
                s.expAvgSq = torch.zeros_like(p);
                s.slowBuffer = p.detach().clone();
                state.put(k, s);
            });
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend(); // the state lives until close()
        owned.close();
    }

    public Config config() {
        return cfg;
    }

    @Override
    public OptimizerName name() {
        return OptimizerName.RANGER;
    }

    @Override
    public void step() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor grad = e.getValue().grad();
                if (grad == null || !grad.defined()) continue;
                update(e.getValue(), grad, state.get(e.getKey()));
            }
        }
    }

    @Override
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (Tensor p : params.values()) {
                Tensor g = p.grad();
                if (g != null && g.defined()) g.zero_();
            }
        }
    }

    @Override
    public long steps() {
        return state.isEmpty() ? 0 : state.values().iterator().next().step;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            state.forEach((k, s) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", s.step);
                m.put("exp_avg", Tensors.toRaw(s.expAvg));
                m.put("exp_avg_sq", Tensors.toRaw(s.expAvgSq));
                m.put("slow_buffer", Tensors.toRaw(s.slowBuffer));
                out.put(k, m);
            });
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<?, ?> saved) {
        OptimizerState.checkKeys(saved, state.keySet());
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            state.forEach((k, s) -> {
                Map<?, ?> m = (Map<?, ?>) saved.get(k);
                long[] shape = s.expAvg.shape();
                s.expAvg.copy_(OptimizerState.buffer(k, m, "exp_avg", shape));
                s.expAvgSq.copy_(OptimizerState.buffer(k, m, "exp_avg_sq", shape));
                s.slowBuffer.copy_(OptimizerState.buffer(k, m, "slow_buffer", shape));
                s.step = OptimizerState.step(m);
            });
        }
    }

    @Override
    public void close() {
        owned.deallocate();
    }

    /** One parameter's update, as ranger.py's step() loop body. */
    private void update(Tensor p, Tensor gradIn, ParamState s) {
        Tensor grad = gradIn;
        if (cfg.useGc() && grad.dim() > 1) {
            long[] dims = new long[(int) grad.dim() - 1];
            for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
            grad = grad.sub(grad.mean(dims, true, new ScalarTypeOptional())); // [out, in] - [out, 1]
        }
        s.step += 1;
        long t = s.step;
        Tensor expAvg = s.expAvg;
        Tensor expAvgSq = s.expAvgSq;
        expAvgSq.mul_(new Scalar(cfg.beta2())).addcmul_(grad, grad, new Scalar(1 - cfg.beta2()));
        expAvg.mul_(new Scalar(cfg.beta1())).add_(grad, new Scalar(1 - cfg.beta1()));

        double beta2t = Math.pow(cfg.beta2(), t);
        double nSmaMax = 2 / (1 - cfg.beta2()) - 1;
        double nSma = nSmaMax - 2 * t * beta2t / (1 - beta2t);
        if (nSma > cfg.nSmaThreshold()) {
            double stepSize = Math.sqrt((1 - beta2t) * (nSma - 4) / (nSmaMax - 4) * (nSma - 2) / nSma * nSmaMax
                    / (nSmaMax - 2)) / (1 - Math.pow(cfg.beta1(), t));
            Tensor denom = expAvgSq.sqrt().add_(new Scalar(cfg.eps()));
            p.addcdiv_(expAvg, denom, new Scalar(-stepSize * cfg.lr()));
        } else {
            double stepSize = 1.0 / (1 - Math.pow(cfg.beta1(), t));
            p.add_(expAvg, new Scalar(-stepSize * cfg.lr()));
        }
        if (t % cfg.k() == 0) {
            Tensor slow = s.slowBuffer;
            slow.add_(p.sub(slow), new Scalar(cfg.alpha()));
            p.copy_(slow);
        }
    }

    /** N_sma of step t, for tests and reports: rectified steps are those where it exceeds the threshold. */
    public static double nSma(double beta2, long t) {
        double beta2t = Math.pow(beta2, t);
        double nSmaMax = 2 / (1 - beta2) - 1;
        return nSmaMax - 2 * t * beta2t / (1 - beta2t);
    }
}
