package dev.styleclip.train.gan;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.optim.Adam;
import dev.styleclip.image.Images;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a StyleGAN2 generator (rosinality's layout, so every editing method works on it unchanged) to draw, for
 * each latent z, a known target image: a renderer's picture of what z stands for (the world's {@code WorldPrior}).
 * A regression (L1 to the target, from z through mapping and synthesis) instead of an adversarial game: on a CPU it
 * reaches recognisable samples in thousands rather than hundreds of thousands of steps, and each sample's attributes
 * are known. Adam (0.9, 0.99); the mapping network, whose EqualLinear layers scale their weights by lr_mul = 0.01,
 * gets lr / 0.01 so that it learns at the same effective rate as the rest (the mapping has to learn where z's
 * coordinates cross the attribute thresholds). g_ema averages the weights with {@link Options#emaDecay}.
 */
public final class RenderDistillation implements AutoCloseable {
    /** What z stands for: target images [B, 3, S, S] in [-1, 1] for latents z [B, style_dim]. */
    @FunctionalInterface
    public interface Targets {
        Tensor render(Tensor z);

        /**
         * The targets of latents given by their factors (codes mode with {@link Interpolation}: the corners of a
         * crossfade are cell assignments no single z needs to stand for).
         */
        default Tensor render(LatentCodes.Factors factors) {
            throw new UnsupportedOperationException("these targets cannot be rendered from factors");
        }
    }

    /**
     * Codes mode: a share of each batch drawn off the code lattice, each with the target that such a latent should
     * draw. For such a sample, up to {@code factors} of its attributes (chosen at random) move part of the way, t ~
     * U(-overshoot, 1 + overshoot), towards another class, and every attribute's code is nudged by Gaussian noise of
     * {@code perturbation} (in units of the one-hot spacing); the target is the crossfade of the renders of the classes
     * that the (row-averaged) code stands for: per attribute, the code's weights over its classes projected onto the
     * probability simplex, then sharpened. Without this the synthesis only ever sees the lattice's points, so what it
     * draws between and around them, where an editing method that follows a gradient in w walks, is untrained.
     *
     * @param fraction     share of the batch drawn off the lattice, in [0, 1]
     * @param factors      at most this many attributes moved towards another class per such sample: 1 to 3
     * @param sharpness    a: the target's weights are proportional to exp(a p) - 1 for the projected weights p (0: p
     *                     itself). Each class stays exactly itself, a small move hardly shows, and two classes switch
     *                     around the middle; the way out of a class still has a gradient
     * @param overshoot    how far a move may run past either class (the target stops at the class)
     * @param rowJitter    each W+ row of a moved attribute's code moves its own t + U(-rowJitter, rowJitter); the
     *                     target follows the rows' mean (an optimizer in W+ moves the rows apart)
     * @param perturbation standard deviation of the noise on every attribute's class weights
     */
    public record Interpolation(double fraction, int factors, double sharpness, double overshoot, double rowJitter,
                                double perturbation) {
        public static final Interpolation NONE = new Interpolation(0, 1);

        /** A bad value is a {@link SettingException} named as {@code world train-generator}'s option ({@code crossfade-noise} for the perturbation). */
        public Interpolation {
            if (!(fraction >= 0 && fraction <= 1)) throw new SettingException("crossfade", "must be in [0, 1]");
            if (factors < 1 || factors > 3) throw new SettingException("crossfade-factors", "must be 1 to 3");
            notNegative("crossfade-sharpness", sharpness);
            notNegative("crossfade-overshoot", overshoot);
            notNegative("crossfade-row-jitter", rowJitter);
            notNegative("crossfade-noise", perturbation);
        }

        private static void notNegative(String setting, double v) {
            if (!(v >= 0)) throw new SettingException(setting, "must not be negative");
        }

        public Interpolation(double fraction, int factors) {
            this(fraction, factors, 0, 0, 0, 0);
        }

        /** Between two classes: the target's weight of the one moved to, for a code moved {@code t} of the way. */
        public double targetWeight(double t) {
            double[] q = Crossfades.sharpen(Crossfades.projectOntoSimplex(new double[] {1 - t, t}), sharpness);
            return q[1];
        }
    }

    /**
     * @param warmup          steps over which the learning rate rises linearly to {@code lr} (a warm start with a fresh
     *                        Adam otherwise moves every weight by about lr in its first steps, undoing part of what the
     *                        file held)
     * @param modulationLrMul the synthesis's modulation weights (w -> style) learn at {@code lr} times this. In a
     *                        one-hot layout an attribute reaches the synthesis through one coordinate of w at 0.5, and
     *                        EqualLinear scales the weights by 1 / sqrt(style_dim): a step of lr on such a column moves
     *                        the style by lr * 0.5 / sqrt(128), about 20 times less than the same step does for a
     *                        w drawn by a mapping network, so an attribute the synthesis did not draw before the
     *                        layout was fixed (makeup, eye colour) is learned that much slower
     */
    public record Options(GeneratorConfig config, int batch, double lr, double emaDecay, long seed, long warmup,
                          Interpolation interpolation, double modulationLrMul) {
        /** A bad value is a {@link SettingException} named as {@code world train-generator}'s option ({@code ema} for the decay). */
        public Options {
            Checks.atLeast("batch", batch, 1);
            Checks.positive("lr", lr);
            if (!(emaDecay >= 0 && emaDecay < 1)) throw new SettingException("ema", "must be in [0, 1)");
            if (warmup < 0) throw new SettingException("warmup", "must not be negative");
            if (interpolation == null) throw new IllegalArgumentException("interpolation must not be null (Interpolation.NONE for none)");
            if (!(modulationLrMul > 0)) throw new SettingException("modulation-lr-mul", "must be positive");
        }

        public Options(GeneratorConfig config, int batch, double lr, double emaDecay, long seed, long warmup,
                       Interpolation interpolation) {
            this(config, batch, lr, emaDecay, seed, warmup, interpolation, 1);
        }

        public Options(GeneratorConfig config, int batch, double lr, double emaDecay, long seed, long warmup) {
            this(config, batch, lr, emaDecay, seed, warmup, Interpolation.NONE);
        }

        public Options(GeneratorConfig config, int batch, double lr, double emaDecay, long seed) {
            this(config, batch, lr, emaDecay, seed, 0);
        }

        public Options withInterpolation(Interpolation i) {
            return new Options(config, batch, lr, emaDecay, seed, warmup, i, modulationLrMul);
        }

        /** The learning rate of step {@code step} (0-based). */
        public double lrAt(long step) {
            return step < warmup ? lr * (step + 1) / (warmup + 1) : lr;
        }

        /** The bundled model's shape: 64 px, style_dim 128, 4 mapping layers, channels 256-256-128-64-32. */
        public static Options small64(long seed) {
            return new Options(new GeneratorConfig(64, 128, 4, GanOptions.parseChannels("4:256,8:256,16:128,32:64,64:32")),
                    16, 0.002, 0.998, seed);
        }
    }

    private static final double MAPPING_LR_MUL = 0.01;

    private final Options opts;
    private final Targets targets;
    private final PointerScope owned;
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> ema;
    private final List<String> trainable = new ArrayList<>();
    private final Generator g;
    private final Generator gEma;
    private final Adam adam;
    /** The synthesis's modulation weights, at {@link Options#modulationLrMul} times the learning rate. */
    private final Adam adamModulation;
    private final List<Tensor> modulationParams = new ArrayList<>();
    private final Adam adamMapping;
    private final List<Tensor> synthParams = new ArrayList<>();
    private final List<Tensor> mappingParams = new ArrayList<>();
    private final LatentCodes.Factorization factorization;
    private final LatentCodes codes;
    private final LatentCodes emaCodes;
    private double lastMappingLoss = Double.NaN;
    private long nextStep;
    /** Per-pixel weights of the L1 [S * S] divided by their mean, or null for a plain mean. */
    private float[] pixelWeights;
    /** A designed layout ({@link #relayout}): the codes stay as they are, and saved weights ignore what they never span. */
    private boolean codesFixed;

    /** Latents the mapping network regresses onto the codes per step, in codes mode. */
    public static final int MAPPING_BATCH = 512;
    /**
     * The mapping network's learning rate in codes mode (its regression does not feed the synthesis, and steps need
     * steep weights: 0.02 fit a random code table about twice as fast as 0.003 in the same number of updates).
     */
    public static final double CODES_MAPPING_LR = 0.02;

    public RenderDistillation(Options opts, Targets targets) throws CheckpointException {
        this(opts, targets, null);
    }

    /**
     * With a {@code factorization} (codes mode), the synthesis network learns from {@link LatentCodes} of z rather
     * than from the mapping network's w, and the mapping network learns, each step on {@link #MAPPING_BATCH} more
     * latents, to reproduce the codes (mean squared error); {@link #polishMapping} finishes that regression.
     */
    public RenderDistillation(Options opts, Targets targets, LatentCodes.Factorization factorization) throws CheckpointException {
        Engine.init();
        this.opts = opts;
        this.targets = targets;
        this.factorization = factorization;
        this.owned = new PointerScope();
        try {
            torch.manual_seed(opts.seed());
            params = GanWeights.generator(opts.config());
            ema = new LinkedHashMap<>();
            for (var e : params.entrySet()) {
                ema.put(e.getKey(), e.getValue().clone());
                if (GanWeights.isBuffer(e.getKey())) continue;
                trainable.add(e.getKey());
                e.getValue().set_requires_grad(true);
                (e.getKey().startsWith("style.") ? mappingParams
                        : e.getKey().endsWith("modulation.weight") ? modulationParams : synthParams).add(e.getValue());
            }
            if (factorization == null && opts.interpolation().fraction() > 0) {
                throw new IllegalArgumentException("crossfaded targets need codes mode");
            }
            if (factorization != null) {
                codes = new LatentCodes(factorization, opts.config().styleDim(), 0.5);
                for (Tensor t : codes.parameters()) {
                    t.set_requires_grad(true);
                    synthParams.add(t);
                }
                emaCodes = codes.copy();
            } else {
                codes = null;
                emaCodes = null;
            }
            Tensor avg = torch.zeros(1, opts.config().styleDim());
            g = Generator.create(opts.config(), StateDict.ofTensors("g", params), avg, "g");
            gEma = Generator.create(opts.config(), StateDict.ofTensors("g_ema", ema), avg, "g_ema");
            adam = new Adam(synthParams, opts.lr(), 0.9, 0.99, 1e-8);
            adamModulation = new Adam(modulationParams, opts.lr() * opts.modulationLrMul(), 0.9, 0.99, 1e-8);
            adamMapping = new Adam(mappingParams, opts.lr() / MAPPING_LR_MUL, 0.9, 0.99, 1e-8);
        } catch (CheckpointException | RuntimeException e) {
            owned.deallocate();
            throw e;
        }
        owned.extend();
        owned.close();
    }

    public long nextStep() {
        return nextStep;
    }

    /**
     * Starts from the weights of a generator file this class wrote (or any rosinality checkpoint of the same
     * configuration): its g_ema becomes both the trained weights and their average. Adam starts afresh, so this is
     * a warm start, not a resume. Every key must be present with the configured shape.
     */
    public void initFrom(Path file) throws IOException {
        dev.styleclip.io.Checkpoint ckpt = dev.styleclip.io.CheckpointReader.read(file);
        Object root = ckpt.root();
        Object gEmaDict = root instanceof Map<?, ?> m && m.containsKey("g_ema") ? m.get("g_ema") : root;
        // StateDict's strict loading: every key present with the configured shape, nothing unexpected
        StateDict sd = StateDict.of(file.getFileName().toString(), dev.styleclip.io.Checkpoint.tensors(gEmaDict));
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (var e : params.entrySet()) loaded.put(e.getKey(), sd.take(e.getKey(), e.getValue().sizes().vec().get()));
            try {
                sd.finish("generator of the configured shape");
            } catch (CheckpointException e) {
                throw new CheckpointException(file, "does not fit the configured generator: " + e.getMessage());
            }
            try (NoGradGuard ng = new NoGradGuard()) {
                for (var e : params.entrySet()) {
                    e.getValue().copy_(loaded.get(e.getKey()));
                    ema.get(e.getKey()).copy_(loaded.get(e.getKey()));
                }
            }
        }
        if (codes != null) {
            Path saved = file.resolveSibling(CODES_FILE);
            if (java.nio.file.Files.isRegularFile(saved)) {
                Map<String, dev.styleclip.io.TensorRef> c = dev.styleclip.io.Checkpoint.tensors(dev.styleclip.io.CheckpointReader.read(saved).rootMap());
                codes.load(c, "codes.", saved);
                emaCodes.load(c, "ema_codes.", saved);
            } else {
                try (PointerScope scope = new PointerScope()) {
                    torch.manual_seed(opts.seed() + 77);
                    codes.fitTo(gEma, factorization, torch.randn(8192, opts.config().styleDim()));
                    emaCodes.copyFrom(codes);
                }
            }
        }
    }

    /** The codes' file beside a generator file (codes mode): {@link #initFrom} picks it up. */
    public static final String CODES_FILE = "codes.pt";

    /**
     * Codes mode, after {@link #initFrom} a generator with a compiled mapping: re-expresses the generator in the code
     * layout {@code layout} (e.g. {@link LatentCodes#oneHot}) without changing a single portrait. The codes the
     * compiled mapping draws are read off it ({@link LatentCodes#readCompiled}); every modulation's weight W and bias b
     * become {@code W M} and {@code b + W t / sqrt(style_dim)}, with {@code old code = M new code + t}; the mapping is
     * compiled for the new codes. From here on the codes are fixed: the layout is the point, so training leaves it
     * alone, and each save projects the modulations onto what the codes span (a w that moves elsewhere changes nothing).
     * Returns the largest difference of g_ema's images on 16 latents, before against after (float noise).
     */
    public double relayout(LatentCodes layout, double rampWidth) {
        if (codes == null) throw new IllegalStateException("relayout needs codes mode");
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(opts.seed() + 31_337);
            Tensor z = torch.randn(16, opts.config().styleDim());
            Tensor before = gEma.synthesize(gEma.toWPlus(gEma.mapping(z)), NoiseMode.CONST);
            LatentCodes old = LatentCodes.readCompiled(gEma, factorization);
            Tensor[] mt = layout.affineTo(old);
            remodulate(params, mt[0], mt[1]);
            remodulate(ema, mt[0], mt[1]);
            codes.copyFrom(layout);
            emaCodes.copyFrom(layout);
            for (Tensor t : codes.parameters()) t.set_requires_grad(false);
            codesFixed = true;
            compileMapping(rampWidth);
            Tensor after = gEma.synthesize(gEma.toWPlus(gEma.mapping(z)), NoiseMode.CONST);
            return Tensors.maxAbsDiff(before, after);
        }
    }

    /** Whether the codes are a fixed, designed layout ({@link #relayout}). */
    public boolean codesFixed() {
        return codesFixed;
    }

    /** Every modulation (w -> S entry, EqualLinear with lr_mul 1): W <- W M, b <- b + W t / sqrt(in), in place. */
    private void remodulate(Map<String, Tensor> weights, Tensor m, Tensor t) {
        double scale = 1 / Math.sqrt(opts.config().styleDim());
        for (var e : weights.entrySet()) {
            if (!e.getKey().endsWith("modulation.weight")) continue;
            Tensor w = e.getValue();
            Tensor b = weights.get(e.getKey().replace("modulation.weight", "modulation.bias"));
            Tensor wd = w.detach().to(torch.ScalarType.Double);
            b.copy_(b.detach().to(torch.ScalarType.Double).add(wd.matmul(t).mul(new Scalar(scale))));
            w.copy_(wd.matmul(m));
        }
    }

    /** With fixed codes: g_ema's modulations projected onto what the codes span (exact on every code). */
    private void projectEmaOntoCodes() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor[] mt = emaCodes.affineTo(emaCodes);
            remodulate(ema, mt[0], mt[1]);
        }
    }

    /**
     * Codes mode: replaces the mapping network (trained and averaged) by {@link MappingCompiler}'s weights for the
     * averaged codes, so that g_ema's w(z) is the codes its synthesis learned from, up to ramps of {@code rampWidth}
     * at the cell boundaries. Returns the mean squared error of the compiled mapping to the codes on 4096 latents.
     */
    public double compileMapping(double rampWidth) {
        if (codes == null) throw new IllegalStateException("compileMapping needs codes mode");
        if (opts.config().nMlp() != 4) throw new IllegalStateException("the compiled mapping has 4 layers; this one has " + opts.config().nMlp());
        boolean[] used = new boolean[factorization.continuous()];
        for (int c = 0; c < used.length; c++) used[c] = factorization.continuousMatters(c);
        Map<String, float[]> w = MappingCompiler.compile(emaCodes, factorization, rampWidth, used);
        int d = opts.config().styleDim();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (var e : w.entrySet()) {
                Tensor v = e.getKey().endsWith(".weight") ? Tensors.floats(e.getValue(), d, d) : Tensors.floats(e.getValue(), d);
                params.get(e.getKey()).copy_(v);
                ema.get(e.getKey()).copy_(v);
            }
            torch.manual_seed(opts.seed() + 4242);
            Tensor z = torch.randn(4096, d);
            return gEma.mapping(z).sub(emaCodes.codes(factorization.of(z))).pow(new Scalar(2)).mean().item_double();
        }
    }

    /** Codes mode: writes the codes and their average ({@code codes.*}, {@code ema_codes.*}) as a torch zip. */
    public void saveCodes(Path file) throws IOException {
        if (codes == null) throw new IllegalStateException("saveCodes needs codes mode");
        Map<String, Object> root = new LinkedHashMap<>();
        root.putAll(codes.toRaw("codes."));
        root.putAll(emaCodes.toRaw("ema_codes."));
        TorchWriter.writeZip(file, root);
    }

    /**
     * Codes mode: {@code steps} more updates of the mapping network alone towards the averaged codes (batches of
     * {@code batch} latents, Adam at the mapping's rate), then g_ema takes the result as its mapping network, so that
     * the saved generator's w(z) is as close to the codes its synthesis learned from as the mapping can get.
     * Returns the final mean squared error.
     */
    public double polishMapping(int steps, int batch, PolishProgress progress) {
        return polishMapping(steps, batch, opts.lr(), progress);
    }

    /** Progress of {@link #polishMapping}: the update just done (1-based) and its mean squared error. */
    @FunctionalInterface
    public interface PolishProgress {
        void step(long done, double mse);
    }

    /** As {@link #polishMapping(int, int, PolishProgress)} at learning rate {@code lr}. */
    public double polishMapping(int steps, int batch, double lr, PolishProgress progress) {
        if (codes == null) throw new IllegalStateException("polishMapping needs codes mode");
        double last = Double.NaN;
        for (int i = 0; i < steps; i++) {
            try (PointerScope scope = new PointerScope()) {
                torch.manual_seed(opts.seed() * 7_919L + i + 900_000_000L);
                Tensor z = torch.randn(batch, opts.config().styleDim());
                Tensor want;
                try (NoGradGuard ng = new NoGradGuard()) {
                    want = emaCodes.codes(factorization.of(z));
                }
                Tensor loss = g.mapping(z).sub(want).pow(new Scalar(2)).mean();
                adamMapping.setLr(lr / MAPPING_LR_MUL * (i < steps / 2 ? 1 : i < 4 * steps / 5 ? 0.3 : 0.1));
                adamMapping.zeroGrad();
                loss.backward();
                adamMapping.step();
                last = loss.item_double();
            }
            if (progress != null) progress.step(i + 1, last);
        }
        try (NoGradGuard ng = new NoGradGuard()) {
            for (String k : trainable) if (k.startsWith("style.")) ema.get(k).copy_(params.get(k).detach());
        }
        return last;
    }

    /** The weights being trained, by rosinality's key (live tensors, for tests). */
    Map<String, Tensor> trainingWeights() {
        return params;
    }

    public Generator generatorEma() {
        return gEma;
    }

    /** The latents of step {@code step}: N(0, I) after seeding with (seed, step). */
    public Tensor latents(long step) {
        torch.manual_seed(opts.seed() * 1_000_003L + step);
        return torch.randn(opts.batch(), opts.config().styleDim());
    }

    /** The mapping network's mean squared error to the codes at the last step (codes mode; NaN otherwise). */
    public double lastMappingLoss() {
        return lastMappingLoss;
    }

    /**
     * Weights the training L1 per pixel, the same for every channel and image: the loss becomes
     * {@code mean(w * |image - target|) / mean(w)}, so that its scale stays that of the plain mean (null: the plain
     * mean). {@link #emaLoss} stays unweighted.
     */
    public void setPixelWeights(float[] weights) {
        if (weights == null) {
            pixelWeights = null;
            return;
        }
        int s = opts.config().size();
        if (weights.length != s * s) throw new IllegalArgumentException("pixel weights: " + weights.length + " values for a " + s + "x" + s + " image");
        double sum = 0;
        for (float w : weights) {
            if (!(w >= 0)) throw new IllegalArgumentException("pixel weights must not be negative, got " + w);
            sum += w;
        }
        if (sum == 0) throw new IllegalArgumentException("pixel weights are all 0");
        // divided by their mean once here, so that a step's loss is mean(w' * |image - target|)
        pixelWeights = new float[weights.length];
        for (int i = 0; i < weights.length; i++) pixelWeights[i] = (float) (weights[i] / (sum / weights.length));
    }

    /** One update; returns the (weighted, {@link #setPixelWeights}) L1 loss of the batch. */
    public double step() {
        try (PointerScope scope = new PointerScope()) {
            Tensor z = latents(nextStep);
            Tensor target;
            Tensor wplus;
            if (codes != null && opts.interpolation().fraction() > 0) {
                Crossfades.Batch c = crossfade(factorization.of(z), nextStep);
                try (NoGradGuard ng = new NoGradGuard()) {
                    target = c.targets(targets.render(c.corners()));
                }
                wplus = c.codes(codes);
            } else {
                try (NoGradGuard ng = new NoGradGuard()) {
                    target = targets.render(z);
                }
                wplus = g.toWPlus(codes != null ? codes.codes(factorization.of(z)) : g.mapping(z));
            }
            Tensor img = g.synthesize(wplus, NoiseMode.CONST);
            Tensor error = img.sub(target).abs();
            int s = opts.config().size();
            Tensor loss = pixelWeights == null ? error.mean() : error.mul(dev.styleclip.tensor.Tensors.floats(pixelWeights, 1, 1, s, s)).mean();
            Tensor mappingLoss = null;
            if (codes != null && !codesFixed) { // fixed codes come with their compiled mapping
                torch.manual_seed(opts.seed() * 1_000_003L + nextStep + 500_000_000L);
                Tensor z2 = torch.randn(MAPPING_BATCH, opts.config().styleDim());
                Tensor want;
                try (NoGradGuard ng = new NoGradGuard()) {
                    want = codes.codes(factorization.of(z2)).detach();
                }
                mappingLoss = g.mapping(z2).sub(want).pow(new Scalar(2)).mean();
            }
            adam.setLr(opts.lrAt(nextStep));
            adamModulation.setLr(opts.lrAt(nextStep) * opts.modulationLrMul());
            adamMapping.setLr((codes != null ? CODES_MAPPING_LR : opts.lrAt(nextStep)) / MAPPING_LR_MUL);
            adam.zeroGrad();
            adamModulation.zeroGrad();
            adamMapping.zeroGrad();
            (mappingLoss != null ? loss.add(mappingLoss) : loss).backward();
            adam.step();
            adamModulation.step();
            adamMapping.step();
            try (NoGradGuard ng = new NoGradGuard()) {
                for (String k : trainable) {
                    ema.get(k).mul_(new Scalar(opts.emaDecay())).add_(params.get(k).detach(), new Scalar(1 - opts.emaDecay()));
                }
            }
            if (codes != null && !codesFixed) {
                emaCodes.lerpTowards(codes, opts.emaDecay());
                lastMappingLoss = mappingLoss.item_double();
            }
            nextStep++;
            return loss.item_double();
        }
    }

    /** The crossfades of a batch (codes mode with {@link Interpolation}), drawn from (seed, step). */
    Crossfades.Batch crossfade(LatentCodes.Factors f, long step) {
        return Crossfades.draw(opts.interpolation(), factorization, opts.config().nLatent(), f,
                new java.util.SplittableRandom(opts.seed() * 1_000_003L + step + 700_000_000L));
    }

    /** L1 of g_ema on a batch of latents (no update): for watching progress on fixed latents. */
    public double emaLoss(Tensor z) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor img = gEma.synthesize(gEma.toWPlus(gEma.mapping(z)), NoiseMode.CONST);
            return img.sub(targets.render(z)).abs().mean().item_double();
        }
    }

    /** A grid: g_ema's images of {@code z} over their targets (row pairs), written atomically. */
    public void writeSamples(Tensor z, Path file) throws IOException {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor img = gEma.synthesize(gEma.toWPlus(gEma.mapping(z)), NoiseMode.CONST).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1)), new org.bytedeco.pytorch.ScalarOptional(new Scalar(1)));
            List<java.awt.image.BufferedImage> all = new ArrayList<>(Images.toImages(img));
            all.addAll(Images.toImages(targets.render(z)));
            Images.write(file, Images.grid(all, (int) z.size(0)), Map.of("styleclip", "{\"tool\":\"render distillation\",\"step\":" + nextStep + "}"));
        }
    }

    /** latent_avg: the mean of g_ema's w over 4096 z drawn after torch.manual_seed(1001). */
    public Tensor latentAvg() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(Generator.MEAN_LATENT_SEED);
            Tensor z = torch.randn(Generator.MEAN_LATENT_SAMPLES, opts.config().styleDim());
            return Tensors.keep(scope, gEma.mapping(z).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
        }
    }

    /**
     * The generator file: {'g_ema': state dict, 'latent_avg': [style_dim]} (the layout of StyleCLIP's converted FFHQ
     * checkpoint, which {@link Generator#load} reads), weights stored as float16 when {@code half} (half the size; the loader widens them).
     */
    public void saveGenerator(Path file, boolean half) throws IOException {
        if (codesFixed) projectEmaOntoCodes();
        Map<String, Object> root = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Map<String, Object> sd = new LinkedHashMap<>();
            // the mapping stays float32: a compiled one has steep weights (beyond float16's range) and sharp thresholds
            ema.forEach((k, t) -> sd.put(k, half && !GanWeights.isBuffer(k) && !k.startsWith("style.") ? Tensors.toRawHalf(t) : Tensors.toRaw(t)));
            root.put("g_ema", new TorchWriter.OrderedDict(sd));
            root.put("latent_avg", Tensors.toRaw(latentAvg()));
        }
        TorchWriter.writeZip(file, root);
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
