package dev.styleclip.invert.encoder;

import org.bytedeco.pytorch.Tensor;

/**
 * torch.nn.BatchNorm2d (affine, eps 1e-5, momentum 0.1) that trains: parameters {@code <prefix>weight|bias}, buffers
 * {@code <prefix>running_mean|running_var}. {@code num_batches_tracked} is read and dropped (it only matters for
 * momentum=None) and not written; torch's {@code load_state_dict} fills it in when it is absent.
 */
final class BatchNorm2d {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    BatchNorm2d(Weights w, String prefix, long channels) {
        weight = w.parameter(prefix + "weight", channels);
        bias = w.parameter(prefix + "bias", channels);
        runningMean = w.buffer(prefix + "running_mean", channels);
        runningVar = w.buffer(prefix + "running_var", channels);
        w.ignore(prefix + "num_batches_tracked");
    }

    /** @param x [N, C, H, W] -> [N, C, H, W] */
    Tensor forward(Tensor x, NormStatistics stats) {
        return EncoderOps.batchNorm(x, weight, bias, runningMean, runningVar, stats);
    }
}
