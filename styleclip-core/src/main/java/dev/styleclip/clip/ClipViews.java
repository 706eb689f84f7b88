package dev.styleclip.clip;

import dev.styleclip.check.Checks;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Random views of an image for the CLIP loss: each view is a square crop of {@code minScale}..1 of the side at a
 * random place, resized back (bilinear) and mirrored left-right half of the time. Averaging the loss over a few
 * views makes its gradient follow what CLIP sees in every view, not the pixel pattern that raises the similarity
 * of one exact framing: against a small CLIP, an unaugmented latent optimization finds such patterns (the
 * similarity to "cute cat" rises while the portrait only turns orange). Not part of StyleCLIP's optimization;
 * {@link #NONE} is the reference's single, unaltered view.
 *
 * @param count    views per step; 0 means the image as it is
 * @param minScale the smallest crop, as a fraction of the side, in (0, 1]
 * @param seed     seeds the views' placement, so a run is reproducible
 */
public record ClipViews(int count, double minScale, long seed) {
    /** The image as it is (StyleCLIP's loss). */
    public static final ClipViews NONE = new ClipViews(0, 1, 0);

    public ClipViews {
        Checks.atLeast("views", count, 0);
        Checks.openClosed("views-min-scale", minScale, 0, 1);
    }

    /** {@code count} views with crops down to 80% of the side. */
    public static ClipViews of(int count, long seed) {
        return new ClipViews(count, 0.8, seed);
    }

    public boolean none() {
        return count == 0;
    }

    /** A source of views: one per run, drawn step after step. */
    public Sampler sampler() {
        return new Sampler(new Random(seed));
    }

    /** Draws the views of successive steps. */
    public final class Sampler {
        private final Random rng;

        private Sampler(Random rng) {
            this.rng = rng;
        }

        /**
         * @param x images [N, C, R, R] (as CLIP takes them)
         * @return {@code count} views stacked on the batch axis, [count * N, C, R, R], view-major; x itself when
         *         there are no views
         */
        public Tensor apply(Tensor x) {
            if (count == 0) return x;
            long side = x.size(3);
            TensorVector views = new TensorVector();
            for (int v = 0; v < count; v++) {
                long crop = Math.max(1, Math.round(side * (minScale + (1 - minScale) * rng.nextDouble())));
                long top = rng.nextInt((int) (side - crop + 1));
                long left = rng.nextInt((int) (side - crop + 1));
                Tensor view = x.narrow(2, top, crop).narrow(3, left, crop);
                if (crop != side) view = torch.upsample_bilinear2d(view, new long[] {side, side}, false);
                if (rng.nextBoolean()) view = view.flip(3);
                views.push_back(view);
            }
            return torch.cat(views, 0);
        }
    }
}
