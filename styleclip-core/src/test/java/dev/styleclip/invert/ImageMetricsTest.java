package dev.styleclip.invert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PSNR and SSIM against values computed by hand and by a float64 transcription of the definitions. */
class ImageMetricsTest {
    @BeforeAll
    static void engine() {
        Engine.init();
    }

    @Test
    void identicalImagesHaveInfinitePsnrAndSsimOne() {
        torch.manual_seed(1);
        Tensor a = torch.rand(2, 3, 16, 16).mul(new Scalar(2.0)).sub(new Scalar(1.0));
        double[] p = ImageMetrics.psnr(a, a);
        assertEquals(Double.POSITIVE_INFINITY, p[0]);
        assertEquals(Double.POSITIVE_INFINITY, p[1]);
        float[] s = Tensors.toFloatArray(ImageMetrics.ssim(a, a));
        assertEquals(1.0, s[0], 1e-6);
        assertEquals(1.0, s[1], 1e-6);
    }

    @Test
    void aConstantOffsetHasTheExpectedPsnr() {
        torch.manual_seed(2);
        Tensor a = torch.rand(1, 3, 12, 12).mul(new Scalar(1.6)).sub(new Scalar(0.8));
        // 0.2 in [-1, 1] is 0.1 in [0, 1]: MSE 0.01, PSNR 10 log10(1 / 0.01) = 20 dB
        assertEquals(20.0, ImageMetrics.psnr(a.add(new Scalar(0.2)), a)[0], 1e-4);
        // 0.02 in [0, 1]: MSE 4e-4, PSNR 33.9794 dB
        assertEquals(10 * Math.log10(1 / 4e-4), ImageMetrics.psnr(a, a.sub(new Scalar(0.04)))[0], 1e-3);
    }

    @Test
    void ssimOfFlatImagesIsTheLuminanceTermByHand() {
        // x = 0.5 and y = 0.25 everywhere (in [0, 1]): no variance, so SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)
        Tensor x = torch.zeros(1, 1, 11, 11); // 0 in [-1, 1] is 0.5
        Tensor y = torch.full(new long[] {1, 1, 11, 11}, new Scalar(-0.5)); // 0.25
        double expected = (2 * 0.5 * 0.25 + 1e-4) / (0.25 + 0.0625 + 1e-4); // 0.80006...
        assertEquals(0.800064, expected, 1e-6);
        assertEquals(expected, Tensors.toFloatArray(ImageMetrics.ssim(x, y))[0], 1e-6);
    }

    @Test
    void ssimEqualsAFloat64TranscriptionOfTheDefinition() {
        Random rng = new Random(5);
        int c = 2, h = 13, w = 14;
        float[] a = new float[c * h * w];
        float[] b = new float[c * h * w];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
            b[i] = (float) Math.max(-1, Math.min(1, a[i] + rng.nextGaussian() * 0.3));
        }
        double expected = ssim64(a, b, c, h, w);
        double actual = Tensors.toFloatArray(ImageMetrics.ssim(Tensors.floats(a, 1, c, h, w), Tensors.floats(b, 1, c, h, w)))[0];
        assertEquals(expected, actual, 2e-5);
        assertTrue(expected > 0.2 && expected < 0.95, "a test of a real difference: " + expected);
    }

    @Test
    void theWindowIsANormalisedGaussian() {
        double[] g = ImageMetrics.gaussianWindow();
        assertEquals(11, g.length);
        double sum = 0;
        for (int k = -5; k <= 5; k++) sum += Math.exp(-k * k / 4.5);
        assertEquals(1 / sum, g[5], 1e-15);
        assertEquals(Math.exp(-25 / 4.5) / sum, g[0], 1e-15);
        assertEquals(g[1], g[9], 0);
    }

    @Test
    void ssimIsDifferentiableAndRefusesTinyImages() {
        torch.manual_seed(3);
        Tensor a = torch.rand(1, 3, 12, 12);
        Tensor b = torch.rand(1, 3, 12, 12);
        a.set_requires_grad(true);
        ImageMetrics.ssim(a, b).sum().backward();
        assertTrue(a.grad().abs().sum().item_double() > 0);
        assertThrows(IllegalArgumentException.class, () -> ImageMetrics.ssim(torch.zeros(1, 3, 10, 12), torch.zeros(1, 3, 10, 12)));
    }

    /** SSIM by the definition, in double: Gaussian-weighted means, variances and covariance over each 11 x 11 window. */
    static double ssim64(float[] a, float[] b, int c, int h, int w) {
        double[] g = new double[11];
        double s = 0;
        for (int k = 0; k < 11; k++) {
            g[k] = Math.exp(-(k - 5) * (k - 5) / (2 * 1.5 * 1.5));
            s += g[k];
        }
        double c1 = 1e-4, c2 = 9e-4;
        double total = 0;
        int count = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i + 11 <= h; i++) {
                for (int j = 0; j + 11 <= w; j++) {
                    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                    for (int u = 0; u < 11; u++) {
                        for (int v = 0; v < 11; v++) {
                            double wt = g[u] * g[v] / (s * s);
                            int p = ch * h * w + (i + u) * w + (j + v);
                            double x = (a[p] + 1) / 2, y = (b[p] + 1) / 2;
                            mx += wt * x;
                            my += wt * y;
                            xx += wt * x * x;
                            yy += wt * y * y;
                            xy += wt * x * y;
                        }
                    }
                    double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
                    total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    count++;
                }
            }
        }
        return total / count;
    }
}
