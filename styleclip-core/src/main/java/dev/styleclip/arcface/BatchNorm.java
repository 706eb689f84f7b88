package dev.styleclip.arcface;

import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.Tensor;

/**
 * torch.nn.BatchNorm2d / BatchNorm1d (affine, eps 1e-5) in eval mode, as every normalisation of
 * StyleCLIP's models/facial_recognition/model_irse.py runs inside IDLoss: running statistics only.
 * Keys {@code <prefix>weight|bias|running_mean|running_var}; {@code num_batches_tracked} is optional (checkpoints
 * saved before PyTorch 0.4.1, such as some copies of model_ir_se50.pth, have none) and unused in eval.
 */
final class BatchNorm {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    BatchNorm(StateDict sd, String prefix, long channels) {
        weight = sd.take(prefix + "weight", channels);
        bias = sd.take(prefix + "bias", channels);
        runningMean = sd.take(prefix + "running_mean", channels);
        runningVar = sd.take(prefix + "running_var", channels);
        sd.ignore(prefix + "num_batches_tracked");
    }

    /** @param x [N, C, H, W] or [N, C] */
    Tensor forward(Tensor x) {
        return IrSeOps.batchNormEval(x, weight, bias, runningMean, runningVar);
    }
}
