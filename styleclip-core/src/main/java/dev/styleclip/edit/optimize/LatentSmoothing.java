package dev.styleclip.edit.optimize;

import dev.styleclip.check.Checks;
import dev.styleclip.tensor.Tensors;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;

/**
 * Averages the CLIP loss over latents near the current one: each step, {@code samples} copies of the W+ latent,
 * each moved by its own Gaussian offset in W (standard deviation {@code sigma} per coordinate, the same offset on
 * every row). The gradient then follows what raises the similarity over a neighbourhood, as a mapper trained on
 * many latents does, instead of the pattern that raises it at one exact latent: against the small bundled CLIP,
 * plain optimization often finds such a pattern (the similarity rises while the attribute does not appear). Not
 * part of StyleCLIP; {@link #NONE} is the reference's loss at the latent itself. Works in W+ and W, not in S.
 *
 * @param samples latents per step; 0 turns smoothing off
 * @param sigma   standard deviation of each offset coordinate, in W units (the bundled generator's w has a
 *                standard deviation of about 0.66 per coordinate across seeds)
 * @param seed    seeds the offsets, so that a run is reproducible
 */
public record LatentSmoothing(int samples, double sigma, long seed) {
    public static final LatentSmoothing NONE = new LatentSmoothing(0, 0, 0);

    public LatentSmoothing {
        Checks.atLeast("smooth", samples, 0);
        if (samples > 0) Checks.positive("smooth-sigma", sigma);
        else Checks.nonNegative("smooth-sigma", sigma);
    }

    /** {@link #NONE} for 0 samples (whatever the sigma), else smoothing over {@code samples} latents. */
    public static LatentSmoothing of(int samples, double sigma, long seed) {
        return samples == 0 ? NONE : new LatentSmoothing(samples, sigma, seed);
    }

    public boolean none() {
        return samples == 0;
    }

    /** A source of offsets for one run. */
    public Sampler sampler() {
        return new Sampler(new Random(seed));
    }

    /** Draws the neighbourhoods of successive steps. */
    public final class Sampler {
        private final Random rng;

        private Sampler(Random rng) {
            this.rng = rng;
        }

        /**
         * @param wplus latents [B, L, D] (differentiable)
         * @return [samples * B, L, D], sample-major: sample k of latent b at row k * B + b
         */
        public Tensor around(Tensor wplus) {
            long b = wplus.size(0), d = wplus.size(2);
            float[] offsets = new float[Math.toIntExact(samples * b * d)];
            for (int i = 0; i < offsets.length; i++) offsets[i] = (float) (sigma * rng.nextGaussian());
            return wplus.repeat(samples, 1, 1).add(Tensors.floats(offsets, samples * b, 1, d));
        }
    }
}
