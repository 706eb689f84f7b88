package dev.styleclip.edit.mapper;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The coach's alternative optimizer, {@code torch.optim.Adam(params, lr=opts.learning_rate)} with torch's defaults
 * (betas 0.9 / 0.999, eps 1e-8, no weight decay, no amsgrad), as torch's single-tensor implementation computes it:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}.
 */
public final class Adam extends MapperOptimizer {
    /**
     * @param lr    learning rate
     * @param beta1 first-moment decay (0.9)
     * @param beta2 second-moment decay (0.999)
     * @param eps   added to the bias-corrected sqrt(v) (1e-8)
     */
    public record Config(double lr, double beta1, double beta2, double eps) {
        public static Config withLr(double lr) {
            return new Config(lr, 0.9, 0.999, 1e-8);
        }
    }

    private final Config cfg;

    public Adam(Map<String, Tensor> params, Config cfg) {
        super(params, List.of("exp_avg", "exp_avg_sq"));
        this.cfg = cfg;
    }

    @Override
    public OptimizerName name() {
        return OptimizerName.ADAM;
    }

    @Override
    protected Tensor initialBuffer(String name, Tensor p) {
        return torch.zeros_like(p);
    }

    @Override
    protected void update(Tensor p, Tensor grad, ParamState s) {
        s.step += 1;
        Tensor expAvg = s.buffers.get("exp_avg");
        Tensor expAvgSq = s.buffers.get("exp_avg_sq");
        expAvg.mul_(new Scalar(cfg.beta1())).add_(grad, new Scalar(1 - cfg.beta1()));
        expAvgSq.mul_(new Scalar(cfg.beta2())).addcmul_(grad, grad, new Scalar(1 - cfg.beta2()));
        double biasCorrection1 = 1 - Math.pow(cfg.beta1(), s.step);
        double biasCorrection2 = 1 - Math.pow(cfg.beta2(), s.step);
        double stepSize = cfg.lr() / biasCorrection1;
        Tensor denom = expAvgSq.sqrt().div(new Scalar(Math.sqrt(biasCorrection2))).add_(new Scalar(cfg.eps()));
        p.addcdiv_(expAvg, denom, new Scalar(-stepSize));
    }
}
