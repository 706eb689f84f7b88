package dev.styleclip.invert.encoder;

import dev.styleclip.tensor.Conv;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The math of e4e's encoder (omertov/encoder4editing, models/encoders/psp_encoders.py and helpers.py) that the
 * IR-SE ops of {@link dev.styleclip.arcface.IrSeOps} do not cover, as free functions; the modules own parameters.
 */
final class EncoderOps {
    /** torch.nn.BatchNorm2d's defaults. */
    static final double BN_EPS = 1e-5;
    static final double BN_MOMENTUM = 0.1;
    /** torch.nn.LeakyReLU()'s default slope, which GradualStyleBlock uses. */
    static final double LEAKY_SLOPE = 0.01;

    private EncoderOps() {
    }

    /**
     * BatchNorm2d with affine weights: in {@link NormStatistics#BATCH} the batch's statistics, and the running mean and
     * (unbiased) variance updated in place with momentum 0.1, as in {@code module.train()}; in
     * {@link NormStatistics#RUNNING} the running statistics alone.
     */
    static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, NormStatistics stats) {
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), stats == NormStatistics.BATCH, BN_MOMENTUM, BN_EPS, true);
    }

    /** Conv2d(k x k, stride, padding k / 2) with a bias, clear of libtorch's unaligned-channel defect ({@link Conv}). */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long stride) {
        long pad = weight.size(2) / 2;
        return Conv.conv2d(x, weight, bias, new long[] {stride, stride}, new long[] {pad, pad}, 1);
    }

    static Tensor leakyRelu(Tensor x) {
        return torch.leaky_relu(x, new Scalar(LEAKY_SLOPE));
    }

    /**
     * helpers.py {@code _upsample_add(x, y)}: x resized bilinearly (align_corners=True) to y's size, plus y.
     *
     * @param x [B, C, h, w]; @param y [B, C, H, W] -> [B, C, H, W]
     */
    static Tensor upsampleAdd(Tensor x, Tensor y) {
        Tensor up = torch.upsample_bilinear2d(x, new long[] {y.size(2), y.size(3)}, true, new DoubleOptional(), new DoubleOptional());
        return up.add(y);
    }

    /**
     * Images as the network reads them: [B, 3, S, S] with S the input size, or a multiple of it (the generator's size
     * above 256 px), which is averaged down to it as e4e's {@code face_pool} ({@code AdaptiveAvgPool2d((256, 256))})
     * does.
     */
    static Tensor toInput(Tensor images, int inputSize) {
        Tensors.checkShape("encoder input images", images, -1, 3, -1, -1);
        long h = images.size(2), w = images.size(3);
        if (h == inputSize && w == inputSize) return images;
        if (h != w || h < inputSize || h % inputSize != 0) {
            throw new IllegalArgumentException("encoder input images have shape " + Tensors.shapeString(images) + "; the encoder reads "
                    + inputSize + " x " + inputSize + " images (or square ones whose side is a multiple of " + inputSize + ")");
        }
        return torch.adaptive_avg_pool2d(images, inputSize, inputSize);
    }
}
