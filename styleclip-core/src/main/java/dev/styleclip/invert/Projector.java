package dev.styleclip.invert;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.check.Checks;
import dev.styleclip.edit.optimize.LearningRate;
import dev.styleclip.optim.Adam;
import dev.styleclip.stop.Stop;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Inversion by optimization, after rosinality/stylegan2-pytorch {@code projector.py}: a latent and the generator's noise
 * maps are optimized by Adam so that the generated image matches a target picture.
 *
 * <ul>
 *   <li>Start: the mean w ({@link Generator#latentAvg()}), on every row; the noise maps from the checkpoint's buffers or
 *       fresh normal draws ({@link NoiseStart}).</li>
 *   <li>Latent: one w in {@link InversionSpace#W} (projector.py's default), a w per row in {@link InversionSpace#W_PLUS}
 *       ({@code --w_plus}).</li>
 *   <li>Learning rate: {@code get_lr(t, lr)} with {@code t = i / steps} ({@link #learningRate}): a linear ramp-up over
 *       the first 5% (so step 0 runs at 0) and a cosine ramp-down over the last 25%.</li>
 *   <li>Latent noise: each step synthesizes from {@code latent + N(0, 1) * noise_strength}, {@code noise_strength =
 *       sigma_w * 0.05 * max(0, 1 - t / 0.75)^2} ({@link #noiseStrength}); sigma_w as projector.py estimates it
 *       ({@link #sigmaW}). The draws come from the run's seed, so a run is reproducible.</li>
 *   <li>Loss: {@link InversionLoss} (in the place of projector.py's LPIPS + MSE) plus {@code noise_regularize * }
 *       {@link NoiseMaps#regularize} (1e5); after every step {@link NoiseMaps#normalize}.</li>
 * </ul>
 * The result is the latent without the step noise, as W+, the noise maps, and the image they make.
 *
 * <p>Each step runs in its own native scope; only the latent, the maps and Adam's moments live across steps.
 * {@link Stop#check()} runs between steps. The models are borrowed.
 */
public final class Projector {
    /** The most steps a run takes (a guard against a typo). */
    public static final int MAX_STEPS = 100_000;
    /** The largest learning rate accepted. */
    public static final double MAX_LR = 10;
    /** projector.py's {@code n_mean_latent}: the z samples sigma_w is estimated from. */
    public static final int W_STATS_SAMPLES = 10_000;
    /** Seed of those samples ({@code torch.manual_seed}), so sigma_w is the same on every run. */
    public static final long W_STATS_SEED = 1001;
    /** projector.py's {@code --noise}: the latent noise at the start, as a share of sigma_w. */
    public static final double LATENT_NOISE = 0.05;
    /** projector.py's {@code --noise_ramp}: the share of the run over which the latent noise falls to 0. */
    public static final double NOISE_RAMP = 0.75;
    /** projector.py's {@code --noise_regularize}: the weight of {@link NoiseMaps#regularize}. */
    public static final double NOISE_REGULARIZE = 1e5;

    /**
     * @param space           the latent that moves
     * @param steps           Adam steps (projector.py: 1000)
     * @param lr              peak learning rate (0.1)
     * @param latentNoise     latent noise at the start, a share of sigma_w (0.05; 0: none)
     * @param noiseRamp       share of the run over which it falls to 0 (0.75)
     * @param noiseRegularize weight of the noise maps' regularizer (1e5)
     * @param noiseStart      where the noise maps start
     * @param seed            seeds the latent noise (and the maps, for {@link NoiseStart#RANDOM})
     * @param weights         the image loss's weights
     */
    public record Settings(InversionSpace space, int steps, double lr, double latentNoise, double noiseRamp, double noiseRegularize,
                           NoiseStart noiseStart, long seed, InversionLoss.Weights weights) {
        public Settings {
            Checks.given("space", space);
            Checks.between("steps", steps, 1, MAX_STEPS);
            Checks.openClosed("lr", lr, 0, MAX_LR);
            Checks.nonNegative("latent-noise", latentNoise);
            Checks.openClosed("noise-ramp", noiseRamp, 0, 1);
            Checks.nonNegative("noise-regularize", noiseRegularize);
            Checks.given("noise-start", noiseStart);
            Checks.given("weights", weights);
        }

        /** projector.py's schedule and regularizer with these loss weights, from the checkpoint's noise buffers, seed 0. */
        public static Settings of(InversionSpace space, int steps, double lr, InversionLoss.Weights weights) {
            return new Settings(space, steps, lr, LATENT_NOISE, NOISE_RAMP, NOISE_REGULARIZE, NoiseStart.BUFFERS, 0, weights);
        }

        public Settings withSpace(InversionSpace v) {
            return new Settings(v, steps, lr, latentNoise, noiseRamp, noiseRegularize, noiseStart, seed, weights);
        }

        public Settings withSteps(int v) {
            return new Settings(space, v, lr, latentNoise, noiseRamp, noiseRegularize, noiseStart, seed, weights);
        }

        public Settings withLr(double v) {
            return new Settings(space, steps, v, latentNoise, noiseRamp, noiseRegularize, noiseStart, seed, weights);
        }

        public Settings withLatentNoise(double v) {
            return new Settings(space, steps, lr, v, noiseRamp, noiseRegularize, noiseStart, seed, weights);
        }

        public Settings withNoiseRegularize(double v) {
            return new Settings(space, steps, lr, latentNoise, noiseRamp, v, noiseStart, seed, weights);
        }

        public Settings withNoiseStart(NoiseStart v) {
            return new Settings(space, steps, lr, latentNoise, noiseRamp, noiseRegularize, v, seed, weights);
        }

        public Settings withSeed(long v) {
            return new Settings(space, steps, lr, latentNoise, noiseRamp, noiseRegularize, noiseStart, v, weights);
        }

        public Settings withWeights(InversionLoss.Weights v) {
            return new Settings(space, steps, lr, latentNoise, noiseRamp, noiseRegularize, noiseStart, seed, v);
        }
    }

    /**
     * One step's figures, computed before its update (the image loss terms unweighted, as {@link InversionLoss.Terms}).
     *
     * @param noiseStrength the standard deviation of the latent noise of this step
     * @param ssimLoss      1 - SSIM
     * @param noise         the noise maps' regularizer, unweighted
     * @param total         the loss the step minimised
     */
    public record StepLosses(int step, double lr, double noiseStrength, double mse, double ssimLoss, double clipFeatures, double id,
                             double noise, double total) {
    }

    /** Sees every step while its tensors are alive; copy what you keep. */
    public interface Observer {
        /**
         * @param image  the image the losses were computed on (from the latent with this step's noise, before the update)
         * @param latent the latent after the update, as W+ [B, n_latent, D]
         */
        void onStep(StepLosses losses, Tensor image, Tensor latent);
    }

    /**
     * What a run returns; the tensors belong to the caller's scope.
     *
     * @param latent  W+ [B, n_latent, D] (in W every row is the same w)
     * @param noise   the optimized noise maps, one per buffer, [B, 1, r, r]
     * @param image   the image of {@code latent} with {@code noise}, [B, 3, S, S]
     * @param losses  every step's figures
     * @param seconds wall-clock time of the run
     */
    public record Result(Tensor latent, List<Tensor> noise, Tensor image, List<StepLosses> losses, double seconds) {
        /**
         * A latent taken as it is (an encoder's codes, W+ [B, n_latent, D]), with no step run: the checkpoint's noise
         * buffers (copies) and the image they make with it ({@link NoiseMode#CONST}).
         */
        public static Result unrefined(Generator g, Tensor latent, double seconds) {
            try (NoGradGuard ng = new NoGradGuard()) {
                List<Tensor> buffers = new ArrayList<>();
                for (Tensor b : g.noiseBuffers()) buffers.add(b.clone());
                return new Result(latent, List.copyOf(buffers), g.synthesize(latent, NoiseMode.CONST), List.of(), seconds);
            }
        }
    }

    private final Generator g;
    private final ClipFeatureDistance clip;
    private final IdLoss id;
    private double sigmaW = Double.NaN;

    /**
     * @param clip may be null when no run weights the CLIP-feature distance
     * @param id   may be null when no run weights the identity loss
     */
    public Projector(Generator g, ClipFeatureDistance clip, IdLoss id) {
        this.g = g;
        this.clip = clip;
        this.id = id;
    }

    /** projector.py's {@code get_lr(t, initial_lr)} (the same schedule as {@link LearningRate}), t = step / steps. */
    public static double learningRate(double t, double initial) {
        return LearningRate.at(t, initial);
    }

    /** projector.py's {@code noise_strength = latent_std * noise * max(0, 1 - t / noise_ramp) ** 2}. */
    public static double noiseStrength(double t, double sigmaW, double noise, double ramp) {
        double left = Math.max(0, 1 - t / ramp);
        return sigmaW * noise * left * left;
    }

    /**
     * projector.py's {@code latent_std}: the root of the summed squared deviation of {@value #W_STATS_SAMPLES} mapped z
     * from their mean, divided by their number, {@code sqrt(sum((w - mean)^2) / n)} (the spread of w as a whole, not per
     * coordinate); z drawn after {@code torch.manual_seed(}{@value #W_STATS_SEED}{@code )}. Computed once per projector.
     */
    public synchronized double sigmaW() {
        if (Double.isNaN(sigmaW)) {
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                torch.manual_seed(W_STATS_SEED);
                Tensor w = g.mapping(torch.randn(W_STATS_SAMPLES, g.config().styleDim())); // [n, D]
                Tensor mean = w.mean(new long[] {0}, true, new ScalarTypeOptional()); // [1, D]
                sigmaW = Math.sqrt(w.sub(mean).square().sum().item_double() / W_STATS_SAMPLES);
            }
        }
        return sigmaW;
    }

    /**
     * Inverts {@code target} [B, 3, S, S] in [-1, 1] (S the generator's side). A batch is B independent inversions at
     * once (Adam works elementwise; the loss is a batch mean, and the noise regularizer is taken over the batch as
     * projector.py takes it).
     */
    public Result run(Tensor target, Settings s, Observer observer) {
        return run(target, null, s, observer);
    }

    /**
     * As {@link #run(Tensor, Settings, Observer)}, from a given latent instead of the mean w: {@code start} is W+
     * [B, n_latent, D] (an encoder's codes); in {@link InversionSpace#W} its rows' mean is the start.
     */
    public Result run(Tensor target, Tensor start, Settings s, Observer observer) {
        int size = g.config().size();
        Tensors.checkShape("target image", target, -1, 3, size, size);
        Tensors.requireFinite("the target image", target);
        long t0 = System.nanoTime();
        double sigma = sigmaW();
        InversionLoss loss = new InversionLoss(s.weights(), clip, id);
        InversionLoss.Target goal = loss.target(target);
        Random rng = new Random(s.seed());
        long b = target.size(0);
        Tensor latent;
        List<Tensor> noise = new ArrayList<>();
        try (NoGradGuard ng = new NoGradGuard()) {
            if (start == null) {
                Tensor mean = g.latentAvg().view(1, g.config().styleDim()); // [1, D]
                latent = s.space() == InversionSpace.W ? mean.repeat(b, 1) // [B, D]
                        : mean.unsqueeze(1).repeat(b, g.config().nLatent(), 1); // [B, n_latent, D]
            } else {
                Tensors.checkShape("start latent", start, b, g.config().nLatent(), g.config().styleDim());
                Tensors.requireFinite("the start latent", start);
                latent = s.space() == InversionSpace.W ? start.mean(new long[] {1}, false, new ScalarTypeOptional())
                        : start.detach().clone(); // [B, D] or [B, n_latent, D]
            }
            for (Tensor buffer : g.noiseBuffers()) {
                noise.add(s.noiseStart() == NoiseStart.BUFFERS ? buffer.repeat(b, 1, 1, 1) // [B, 1, r, r]
                        : gaussian(rng, b, 1, buffer.size(2), buffer.size(3)));
            }
        }
        latent.set_requires_grad(true);
        for (Tensor n : noise) n.set_requires_grad(true);
        List<Tensor> params = new ArrayList<>();
        params.add(latent);
        params.addAll(noise);
        Adam adam = new Adam(params, s.lr());
        List<StepLosses> history = new ArrayList<>();
        for (int i = 0; i < s.steps(); i++) {
            Stop.check(); // between steps, never inside one
            try (PointerScope scope = new PointerScope()) {
                history.add(step(i, s, sigma, latent, noise, loss, goal, adam, rng, observer));
            }
        }
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor wplus = g.toWPlus(latent.detach()).clone();
            Tensor image = g.synthesize(wplus, noise);
            List<Tensor> maps = new ArrayList<>();
            for (Tensor n : noise) maps.add(n.detach().clone());
            return new Result(wplus, List.copyOf(maps), image, List.copyOf(history), (System.nanoTime() - t0) / 1e9);
        }
    }

    private StepLosses step(int i, Settings s, double sigma, Tensor latent, List<Tensor> noise, InversionLoss loss,
                            InversionLoss.Target goal, Adam adam, Random rng, Observer observer) {
        double t = (double) i / s.steps();
        double lr = learningRate(t, s.lr());
        adam.setLr(lr);
        double strength = noiseStrength(t, sigma, s.latentNoise(), s.noiseRamp());
        Tensor noisy = strength > 0 ? latent.add(gaussian(rng, latent.shape()).mul(new Scalar(strength))) : latent;
        Tensor image = g.synthesize(g.toWPlus(noisy), noise);
        InversionLoss.Terms terms = loss.terms(image, goal);
        Tensor reg = NoiseMaps.regularize(noise);
        Tensor total = terms.total().add(reg.mul(new Scalar(s.noiseRegularize())));
        adam.zeroGrad();
        total.backward();
        StepLosses l = new StepLosses(i, lr, strength, terms.mse().item_double(), terms.ssimLoss().item_double(),
                terms.clipFeatures().item_double(), terms.id().item_double(), reg.item_double(), total.item_double());
        if (!Double.isFinite(l.total())) {
            throw new ArithmeticException("the inversion diverged at step " + i + ": its loss is " + l.total()
                    + "; a lower learning rate keeps it finite");
        }
        adam.step();
        NoiseMaps.normalize(noise);
        if (observer != null) {
            try (NoGradGuard ng = new NoGradGuard()) {
                observer.onStep(l, image.detach(), g.toWPlus(latent.detach()));
            }
        }
        return l;
    }

    /** Standard-normal values from {@code rng} (java.util.Random's Gaussian), as a float32 tensor of {@code shape}. */
    private static Tensor gaussian(Random rng, long... shape) {
        float[] v = new float[Math.toIntExact(dev.styleclip.io.RawTensor.numel(shape))];
        for (int k = 0; k < v.length; k++) v[k] = (float) rng.nextGaussian();
        return Tensors.floats(v, shape);
    }
}
