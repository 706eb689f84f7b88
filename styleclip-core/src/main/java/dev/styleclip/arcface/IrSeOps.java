package dev.styleclip.arcface;

import dev.styleclip.tensor.Conv;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The math of the IR-SE backbone (StyleCLIP's models/facial_recognition/model_irse.py and helpers.py) and of
 * criteria/id_loss.py as free functions; the modules only own parameters.
 */
public final class IrSeOps {
    // Native objects (Scalar, Tensor) are never cached in static fields: one made inside a caller's
    // PointerScope would be freed when that scope closes.
    /** torch.nn.BatchNorm1d/2d default. */
    static final double BN_EPS = 1e-5;

    private IrSeOps() {
    }

    /** BatchNorm in eval mode: (x - running_mean) / sqrt(running_var + 1e-5) * weight + bias, on dim 1. */
    public static Tensor batchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar) {
        // momentum is unused when training = false; cudnn_enabled as torch.backends.cudnn.enabled (True).
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), false, 0.1, BN_EPS, true);
    }

    /** Conv2d without bias, square stride and padding. */
    public static Tensor conv2d(Tensor x, Tensor weight, long stride, long padding) {
        return Conv.conv2d(x, weight, null, new long[] {stride, stride}, new long[] {padding, padding}, 1);
    }

    /** PReLU with one slope per channel (dim 1). */
    public static Tensor prelu(Tensor x, Tensor weight) {
        return torch.prelu(x, weight);
    }

    /**
     * helpers.py SEModule: x * sigmoid(fc2(relu(fc1(avg_pool(x))))), fc1/fc2 bias-free 1x1 convs.
     *
     * @param x [N, C, H, W]; @param fc1 [C/16, C, 1, 1]; @param fc2 [C, C/16, 1, 1]
     */
    public static Tensor squeezeExcite(Tensor x, Tensor fc1, Tensor fc2) {
        Tensor s = torch.adaptive_avg_pool2d(x, 1, 1); // [N, C, 1, 1]
        s = conv2d(s, fc1, 1, 0).relu();
        s = conv2d(s, fc2, 1, 0).sigmoid();
        return x.mul(s);
    }

    /** MaxPool2d(kernel 1, stride s): plain subsampling, rows and columns 0, s, 2s, ... (identity for s = 1). */
    public static Tensor subsample(Tensor x, long stride) {
        if (stride == 1) return x;
        return x.slice(2, new LongOptional(0), new LongOptional(x.size(2)), stride)
                .slice(3, new LongOptional(0), new LongOptional(x.size(3)), stride);
    }

    /** helpers.py l2_norm(x, axis=1): x / ||x||_2 per row, no epsilon (a zero row gives NaN, as in the reference). */
    public static Tensor l2Norm(Tensor x) {
        Tensor norm = torch.linalg_vector_norm(x, new Scalar(2.0), new long[] {1}, true, new ScalarTypeOptional()); // [N, 1]
        return x.div(norm);
    }

    /** torch.nn.AdaptiveAvgPool2d((h, w)): window i covers floor(i*H/h) .. ceil((i+1)*H/h). */
    public static Tensor adaptiveAvgPool(Tensor x, long h, long w) {
        return torch.adaptive_avg_pool2d(x, h, w);
    }
}
