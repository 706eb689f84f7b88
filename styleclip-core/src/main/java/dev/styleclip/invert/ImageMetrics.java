package dev.styleclip.invert;

import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * How close a reconstruction is to its target: PSNR, SSIM and the {@link ClipFeatureDistance CLIP-feature distance}.
 * Images are generator images [N, 3, H, W] in [-1, 1]; PSNR and SSIM see them mapped to [0, 1] ({@code (x + 1) / 2}).
 *
 * <p>{@link #psnr} and {@link #ssim} are plain functions of the values they get (SSIM is differentiable and serves
 * as a loss); {@link #measure} first clamps both images to [-1, 1], as they are once written as image files.
 */
public final class ImageMetrics {
    /** Side of SSIM's Gaussian window (Wang et al. 2004). */
    public static final int SSIM_WINDOW = 11;
    /** Standard deviation of SSIM's Gaussian window, in pixels. */
    public static final double SSIM_SIGMA = 1.5;
    /** SSIM's constants for a data range of 1: C1 = (0.01 L)^2 and C2 = (0.03 L)^2. */
    public static final double SSIM_C1 = 0.01 * 0.01, SSIM_C2 = 0.03 * 0.03;

    /**
     * One reconstruction's figures.
     *
     * @param psnr                peak signal-to-noise ratio in dB ({@code +Infinity} for identical images)
     * @param ssim                structural similarity, 1 for identical images
     * @param clipFeatureDistance the CLIP-feature distance, 0 for identical images
     */
    public record Values(double psnr, double ssim, double clipFeatureDistance) {
    }

    private ImageMetrics() {
    }

    /** The figures of image 0 of {@code image} against image 0 of {@code target}, both clamped to [-1, 1]. */
    public static Values measure(Tensor image, Tensor target, ClipFeatureDistance clip) {
        return measureEach(image.narrow(0, 0, 1), target.narrow(0, 0, 1), clip).get(0);
    }

    /**
     * The figures of every image of {@code images} [N, 3, S, S] against the same image of {@code targets}, both clamped
     * to [-1, 1]; the CLIP-feature distance is NaN when {@code clip} is null.
     */
    public static List<Values> measureEach(Tensor images, Tensor targets, ClipFeatureDistance clip) {
        Tensors.checkShape("targets", targets, images.shape());
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor a = clampUnit(images);
            Tensor b = clampUnit(targets);
            double[] p = psnr(a, b);
            float[] s = Tensors.toFloatArray(ssim(a, b));
            float[] d = clip == null ? null : Tensors.toFloatArray(clip.distance(a, b));
            List<Values> out = new ArrayList<>(p.length);
            for (int i = 0; i < p.length; i++) out.add(new Values(p[i], s[i], d == null ? Double.NaN : d[i]));
            return out;
        }
    }

    /**
     * PSNR per image in dB, {@code 10 log10(1 / MSE)} with MSE over every value of the image in [0, 1] units; identical
     * images give {@code +Infinity}.
     *
     * @param image  [N, 3, H, W] in [-1, 1]
     * @param target the same shape
     */
    public static double[] psnr(Tensor image, Tensor target) {
        Tensors.checkShape("target", target, image.shape());
        try (NoGradGuard ng = new NoGradGuard()) {
            long n = image.size(0);
            // (a + 1) / 2 - (b + 1) / 2 = (a - b) / 2
            Tensor mse = image.sub(target).div(new Scalar(2.0)).square().reshape(n, -1).mean(new long[] {1}, false, new ScalarTypeOptional()); // [N]
            float[] m = Tensors.toFloatArray(mse);
            double[] out = new double[m.length];
            for (int i = 0; i < m.length; i++) out[i] = m[i] == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(m[i]);
            return out;
        }
    }

    /**
     * SSIM per image (Wang, Bovik, Sheikh and Simoncelli 2004): the local means, variances and covariance under an
     * 11 x 11 Gaussian window of sigma 1.5 at every position where the window lies inside the image (no padding, as
     * the authors' {@code ssim_index.m}), {@code ((2 mu_x mu_y + C1)(2 s_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 +
     * s_y^2 + C2))}, averaged over positions and channels. Differentiable in both images.
     *
     * @param image  [N, C, H, W] in [-1, 1], H and W at least 11
     * @param target the same shape
     * @return [N]
     */
    public static Tensor ssim(Tensor image, Tensor target) {
        Tensors.checkShape("target", target, image.shape());
        long h = image.size(2), w = image.size(3);
        if (h < SSIM_WINDOW || w < SSIM_WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + SSIM_WINDOW + " x " + SSIM_WINDOW + " pixels, got " + h + " x " + w);
        }
        Tensor x = toUnit(image);
        Tensor y = toUnit(target);
        Tensor rows = gaussianBand(h); // [H - 10, H]
        Tensor cols = gaussianBand(w).t(); // [W, W - 10]
        Tensor muX = blur(x, rows, cols);
        Tensor muY = blur(y, rows, cols);
        Tensor muXX = muX.square();
        Tensor muYY = muY.square();
        Tensor muXY = muX.mul(muY);
        Tensor sXX = blur(x.square(), rows, cols).sub(muXX);
        Tensor sYY = blur(y.square(), rows, cols).sub(muYY);
        Tensor sXY = blur(x.mul(y), rows, cols).sub(muXY);
        Tensor num = muXY.mul(new Scalar(2.0)).add(new Scalar(SSIM_C1)).mul(sXY.mul(new Scalar(2.0)).add(new Scalar(SSIM_C2)));
        Tensor den = muXX.add(muYY).add(new Scalar(SSIM_C1)).mul(sXX.add(sYY).add(new Scalar(SSIM_C2)));
        Tensor map = num.div(den); // [N, C, H - 10, W - 10]
        return map.reshape(map.size(0), -1).mean(new long[] {1}, false, new ScalarTypeOptional()); // [N]
    }

    /** The Gaussian filter of one axis as a band matrix [n - 10, n]: row i holds the normalised window at i .. i + 10. */
    static Tensor gaussianBand(long n) {
        double[] g = gaussianWindow();
        int out = (int) n - SSIM_WINDOW + 1;
        float[] band = new float[out * (int) n];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < SSIM_WINDOW; k++) band[i * (int) n + i + k] = (float) g[k];
        }
        return Tensors.floats(band, out, n);
    }

    /** The 1-D Gaussian window, {@code exp(-(k - 5)^2 / (2 sigma^2))} normalised to sum 1. */
    public static double[] gaussianWindow() {
        double[] g = new double[SSIM_WINDOW];
        double sum = 0;
        for (int k = 0; k < SSIM_WINDOW; k++) {
            double d = k - SSIM_WINDOW / 2;
            g[k] = Math.exp(-d * d / (2 * SSIM_SIGMA * SSIM_SIGMA));
            sum += g[k];
        }
        for (int k = 0; k < SSIM_WINDOW; k++) g[k] /= sum;
        return g;
    }

    /**
     * The separable Gaussian filter, "valid" positions only, as two matrix products (rows then columns): the same sums
     * as a depthwise convolution, with no convolution kernel involved.
     */
    private static Tensor blur(Tensor x, Tensor rows, Tensor cols) {
        return rows.matmul(x.matmul(cols)); // [N, C, H, W] @ [W, W'] -> [N, C, H, W']; [H', H] @ that -> [N, C, H', W']
    }

    private static Tensor toUnit(Tensor x) {
        return x.add(new Scalar(1.0)).div(new Scalar(2.0));
    }

    private static Tensor clampUnit(Tensor x) {
        return x.clamp(new ScalarOptional(new Scalar(-1.0)), new ScalarOptional(new Scalar(1.0)));
    }
}
