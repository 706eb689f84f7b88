package dev.styleclip.train.clip;

import dev.styleclip.clip.GeneratorImageRecipe;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.clip.preprocess.ClipImagePreprocess;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The one path from a generator image to the input of a CLIP trained by {@link ClipTrainer}: every training image
 * goes through it, and so must every image that a CLIP loss later feeds to that CLIP.
 *
 * <p>Exact recipe, for a generator image {@code x} [N, 3, S, S] nominally in [-1, 1] (not clamped) and a CLIP of
 * input resolution R, with g = gcd(S, R):
 * <ol>
 *   <li>nearest-neighbour upsampling by the integer factor R / g (skipped when 1), as {@code F.interpolate(x,
 *   scale_factor=R/g)} (source index = floor(dst / factor));</li>
 *   <li>average pooling with kernel = stride = S / g, no padding (skipped when 1), giving [N, 3, R, R];</li>
 *   <li>(x + 1) / 2, then (x - mean) / std per channel with CLIP's {@code Normalize} constants
 *   ({@link ClipImagePreprocess#MEAN}, {@link ClipImagePreprocess#STD}).</li>
 * </ol>
 * For S = R (a 64 px generator and the 64 px CLIP of {@link ClipTrainer#smallConfig()}) steps 1 and 2 are the
 * identity, so the CLIP sees the generator's pixels, only normalised. For R = 224 the resize is exactly StyleCLIP's
 * {@link GeneratorImageRecipe} (x7 then pool S/32 for any S that is a multiple of 32) and the whole path equals
 * {@code GeneratorImageRecipe.apply(x, S, ImageNormalization.CLIP_MEAN_STD)}.
 *
 * <p>Why not {@link GeneratorImageRecipe} itself: it always produces 224 x 224 (64 -> x7 = 448 -> pool 2 -> 224),
 * which a CLIP of another input resolution cannot take; and StyleCLIP's default there is
 * {@link ImageNormalization#NONE}, whereas the CLIPs trained here see normalised pixels. A CLIP loss for the small
 * CLIP must therefore use this class (or, equivalently, skip the resize when S = R and normalise with
 * {@link ImageNormalization#CLIP_MEAN_STD}'s formula).
 */
public final class GeneratorToClip {
    private GeneratorToClip() {
    }

    /**
     * @param image      [N, 3, S, S] float32 in [-1, 1]
     * @param resolution the CLIP's input resolution R
     * @return [N, 3, R, R], differentiable in {@code image}
     */
    public static Tensor apply(Tensor image, int resolution) {
        Tensors.checkShape("generator image", image, -1, 3, -1, -1);
        long s = image.size(2);
        if (image.size(3) != s) throw new IllegalArgumentException("generator image must be square, got " + Tensors.shapeString(image));
        long g = gcd(s, resolution);
        long up = resolution / g, pool = s / g;
        Tensor x = image;
        if (up > 1) {
            long size = s * up;
            x = torch.upsample_nearest2d(x, new long[] {size, size}, new DoubleOptional(up), new DoubleOptional(up));
        }
        if (pool > 1) {
            x = torch.avg_pool2d(x, new long[] {pool, pool}, new long[] {pool, pool}, new long[] {0, 0}, false, true,
                    new LongOptional());
        }
        return normalize(x);
    }

    /** (x + 1) / 2, then CLIP's per-channel (x - mean) / std. */
    public static Tensor normalize(Tensor x) {
        return GeneratorImageRecipe.clipMeanStd(x);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
