package dev.styleclip.invert;

import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What rosinality's projector.py does to the generator's noise maps while it optimizes them: a regularizer that keeps
 * them free of spatial structure ({@code noise_regularize}) and a renormalisation after every step
 * ({@code noise_normalize_}). Without them the maps would soak up the image's content.
 */
public final class NoiseMaps {
    /** The smallest side the regularizer pools a map down to (projector.py stops at 8). */
    public static final int MIN_SIDE = 8;

    private NoiseMaps() {
    }

    /**
     * projector.py's {@code noise_regularize}: for each map, at its size and at every 2x2 average pooling of it while
     * its side is above 8, the squared mean of its product with itself shifted by one pixel (with wrap-around) along
     * the width, plus the same along the height. 0 for maps without correlation between neighbouring pixels.
     *
     * @param noise maps [B, 1, r, r]
     * @return a 0-dim tensor, differentiable in the maps
     */
    public static Tensor regularize(List<Tensor> noise) {
        Tensor loss = torch.zeros(new long[] {});
        for (Tensor map : noise) {
            Tensor n = map;
            long size = n.size(2);
            while (true) {
                Tensor alongWidth = n.mul(torch.roll(n, new long[] {1}, 3)).mean();
                Tensor alongHeight = n.mul(torch.roll(n, new long[] {1}, 2)).mean();
                loss = loss.add(alongWidth.square()).add(alongHeight.square());
                if (size <= MIN_SIDE) break;
                n = n.reshape(-1, 1, size / 2, 2, size / 2, 2) // [B, 1, r/2, 2, r/2, 2]
                        .mean(new long[] {3, 5}, false, new ScalarTypeOptional()); // [B, 1, r/2, r/2]
                size /= 2;
            }
        }
        return loss;
    }

    /** projector.py's {@code noise_normalize_}: each map, in place, minus its mean and divided by its standard deviation (unbiased). */
    public static void normalize(List<Tensor> noise) {
        try (NoGradGuard ng = new NoGradGuard()) {
            for (Tensor n : noise) {
                Tensor mean = n.mean();
                Tensor std = n.std();
                n.sub_(mean).div_(std);
            }
        }
    }
}
