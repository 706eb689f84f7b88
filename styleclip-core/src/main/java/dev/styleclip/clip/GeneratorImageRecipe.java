package dev.styleclip.clip;

import dev.styleclip.clip.preprocess.ClipImagePreprocess;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * StyleCLIP's way of fitting a generator image to CLIP's 224 x 224 input, from orpatashnik/StyleCLIP
 * {@code criteria/clip_loss.py} ({@code CLIPLoss.__init__}): {@code nn.Upsample(scale_factor=7)} (nearest
 * neighbour) then {@code nn.AvgPool2d(kernel_size=stylegan_size // 32)} (stride = kernel, no padding), so a
 * {@code stylegan_size} image becomes 7 * 32 = 224 pixels on a side for every multiple of 32 (1024 -> 7168 -> 224).
 * Unlike CLIP's own preprocessing ({@link ClipImagePreprocess}) it is differentiable and, by default, does not
 * normalise the pixel values ({@link ImageNormalization#NONE}).
 */
public final class GeneratorImageRecipe {
    /** {@code nn.Upsample(scale_factor=7)}. */
    public static final int UPSAMPLE_FACTOR = 7;
    /** The pooling kernel is {@code stylegan_size // 32}. */
    public static final int POOL_DIVISOR = 32;
    /** The side of the result: 7 * 32. */
    public static final int OUTPUT_SIZE = UPSAMPLE_FACTOR * POOL_DIVISOR;

    private GeneratorImageRecipe() {
    }

    /**
     * @param image        generator output [N, 3, S, S], nominally in [-1, 1] (not clamped)
     * @param styleganSize S, a positive multiple of 32 ({@code opts.stylegan_size})
     * @return [N, 3, 224, 224], differentiable in {@code image}
     */
    public static Tensor apply(Tensor image, int styleganSize, ImageNormalization normalization) {
        if (styleganSize < POOL_DIVISOR || styleganSize % POOL_DIVISOR != 0) {
            throw new IllegalArgumentException("stylegan size must be a positive multiple of 32, got " + styleganSize);
        }
        return apply(image, styleganSize, normalization, OUTPUT_SIZE);
    }

    /**
     * The same recipe for a CLIP whose input side is {@code outputSize} (a small CLIP such as the bundled
     * one): nearest x7, then an average pool of kernel and stride 7S / outputSize, which must be a whole
     * number. For outputSize 224 this is exactly the reference (kernel S / 32); for a 64-px generator and a
     * 64-px CLIP the pool undoes the upsampling and the image goes in as it is.
     */
    public static Tensor apply(Tensor image, int styleganSize, ImageNormalization normalization, int outputSize) {
        long up = (long) styleganSize * UPSAMPLE_FACTOR;
        if (styleganSize <= 0 || outputSize <= 0 || up % outputSize != 0 || up < outputSize) {
            throw new IllegalArgumentException("cannot fit a " + styleganSize + "-px generator image to a " + outputSize
                    + "-px CLIP input with StyleCLIP's recipe (7 x " + styleganSize + " must be a multiple of "
                    + outputSize + ")");
        }
        Tensors.checkShape("generator image", image, -1, 3, styleganSize, styleganSize);
        // F.interpolate(scale_factor=7) passes the factor on, so source index = floor(dst / 7.0) exactly
        Tensor x = torch.upsample_nearest2d(image, new long[] {up, up}, new DoubleOptional(UPSAMPLE_FACTOR),
                new DoubleOptional(UPSAMPLE_FACTOR)); // [N, 3, 7S, 7S]
        long k = up / outputSize;
        x = torch.avg_pool2d(x, new long[] {k, k}, new long[] {k, k}, new long[] {0, 0}, false, true,
                new LongOptional()); // [N, 3, outputSize, outputSize]
        return switch (normalization) {
            case NONE -> x;
            case CLIP_MEAN_STD -> clipMeanStd(x);
        };
    }

    /** (x + 1) / 2, then (x - mean) / std per channel with CLIP's Normalize constants. */
    public static Tensor clipMeanStd(Tensor x) {
        float[] mean = new float[3], std = new float[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = ClipImagePreprocess.MEAN.get(c);
            std[c] = ClipImagePreprocess.STD.get(c);
        }
        Tensor unit = x.add(new Scalar(1.0)).div(new Scalar(2.0));
        return unit.sub(Tensors.floats(mean, 1, 3, 1, 1)).div(Tensors.floats(std, 1, 3, 1, 1));
    }
}
