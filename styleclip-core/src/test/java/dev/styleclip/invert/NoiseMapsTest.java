package dev.styleclip.invert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** projector.py's noise_regularize and noise_normalize_, against values by hand and a float64 transcription. */
class NoiseMapsTest {
    @BeforeAll
    static void engine() {
        Engine.init();
    }

    @Test
    void aTwoByTwoMapByHand() {
        // [[1, 2], [3, 4]]: shifted along the width [[2, 1], [4, 3]] -> mean (2 + 2 + 12 + 12) / 4 = 7;
        // along the height [[3, 4], [1, 2]] -> mean (3 + 8 + 3 + 8) / 4 = 5.5; 7^2 + 5.5^2 = 79.25
        Tensor map = Tensors.floats(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertEquals(79.25, NoiseMaps.regularize(List.of(map)).item_double(), 1e-5);
        // two maps: the sum
        Tensor other = Tensors.floats(new float[] {1, -1, -1, 1}, 1, 1, 2, 2); // -1 and -1: 1 + 1
        assertEquals(81.25, NoiseMaps.regularize(List.of(map, other)).item_double(), 1e-5);
    }

    @Test
    void aSixteenPixelMapIsMeasuredAtSixteenAndAtEight() {
        Random rng = new Random(9);
        float[] v = new float[2 * 16 * 16];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() + (i % 16 < 8 ? 0.3 : -0.2)); // some structure
        double expected = regularize64(v, 2, 16);
        double actual = NoiseMaps.regularize(List.of(Tensors.floats(v, 2, 1, 16, 16))).item_double();
        assertEquals(expected, actual, 1e-6 * Math.max(1, expected));
        assertTrue(expected > 1e-3, "a map with structure is penalised: " + expected);
    }

    @Test
    void normalizeGivesMeanZeroAndStandardDeviationOne() {
        torch.manual_seed(4);
        List<Tensor> maps = List.of(torch.randn(1, 1, 8, 8).mul(new Scalar(2.0)).add(new Scalar(3.0)),
                torch.randn(2, 1, 16, 16).mul(new Scalar(0.1)).sub(new Scalar(1.0)));
        for (Tensor m : maps) m.set_requires_grad(true); // normalised in place like the optimized maps
        NoiseMaps.normalize(maps);
        for (Tensor m : maps) {
            assertEquals(0.0, m.mean().item_double(), 1e-6);
            assertEquals(1.0, m.std().item_double(), 1e-5); // torch's std: unbiased, as projector.py's noise.std()
        }
    }

    /** noise_regularize in double: the wrapped one-pixel products at size r, then after each 2x2 mean while r > 8. */
    static double regularize64(float[] v, int batch, int size) {
        double[] n = new double[v.length];
        for (int i = 0; i < v.length; i++) n[i] = v[i];
        double loss = 0;
        int r = size;
        while (true) {
            double w = 0, h = 0;
            for (int b = 0; b < batch; b++) {
                for (int y = 0; y < r; y++) {
                    for (int x = 0; x < r; x++) {
                        double here = n[(b * r + y) * r + x];
                        w += here * n[(b * r + y) * r + (x - 1 + r) % r]; // roll(shifts=1, dims=3): value from x - 1
                        h += here * n[(b * r + (y - 1 + r) % r) * r + x];
                    }
                }
            }
            int count = batch * r * r;
            loss += (w / count) * (w / count) + (h / count) * (h / count);
            if (r <= 8) break;
            int half = r / 2;
            double[] pooled = new double[batch * half * half];
            for (int b = 0; b < batch; b++) {
                for (int y = 0; y < half; y++) {
                    for (int x = 0; x < half; x++) {
                        double sum = 0;
                        for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) sum += n[(b * r + 2 * y + dy) * r + 2 * x + dx];
                        pooled[(b * half + y) * half + x] = sum / 4;
                    }
                }
            }
            n = pooled;
            r = half;
        }
        return loss;
    }
}
