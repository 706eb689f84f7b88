package dev.styleclip.cli;

import dev.styleclip.stop.Stop;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.train.WorldData;
import dev.styleclip.train.gan.GanOptions;
import dev.styleclip.train.gan.RenderDistillation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-generator", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the bundled StyleGAN2 generator by distilling the world's renderer: for each latent z "
                + "the target is the render of the portrait z stands for (WorldPrior), the loss L1. Reproducible from --seed.",
                "Writes DIR/generator.pt ({'g_ema', 'latent_avg'}, float16 weights) every --every steps and at the end "
                        + "(Ctrl-C also saves), and DIR/samples/NNNNNN.png (g_ema's images over their targets)."})
public final class WorldTrainGeneratorCommand implements Callable<Integer> {
    @Option(names = "--steps", required = true, paramLabel = "N", description = "Training steps.")
    long steps;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Latents per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.002", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "N",
            description = "Steps over which the learning rate rises linearly to --lr; give some with --init (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--codes", description = "Codes mode: the synthesis learns from a learned code per attribute cell "
            + "(LatentCodes) and the mapping network learns to reproduce the codes; sharper sooner than learning through the mapping.")
    boolean codesMode;

    @Option(names = "--one-hot-codes", paramLabel = "D",
            description = "Codes mode with --init (a generator with a compiled mapping): first re-express it, unchanged, in a "
                    + "one-hot code layout, every attribute class on its own axis of w, D along it (LatentCodes.oneHot), so "
                    + "that every attribute change is the same short move in w; the codes then stay fixed, and saved weights "
                    + "ignore the directions of w no code reaches. Give it again when continuing from such a run.")
    Double oneHot;

    @Option(names = "--crossfade", defaultValue = "0", paramLabel = "Q",
            description = "Codes mode: share of each batch drawn off the code lattice (some attributes part of the way to another "
                    + "class), its target the crossfade of the renders of the classes it stands for, so that the image changes "
                    + "smoothly as w moves between attribute classes (default: ${DEFAULT-VALUE}).")
    double crossfade;

    @Option(names = "--crossfade-factors", defaultValue = "1", paramLabel = "K",
            description = "At most this many attributes mixed per crossfaded sample, 1 to 3 (multilinear over their renders) (default: ${DEFAULT-VALUE}).")
    int crossfadeFactors;

    @Option(names = "--crossfade-sharpness", defaultValue = "0", paramLabel = "K",
            description = "0: the target is the same crossfade as the code; K > 0: the target's class weights are proportional "
                    + "to exp(K p) - 1, so a portrait stays near one class and switches around the middle (default: ${DEFAULT-VALUE}).")
    double crossfadeSharpness;

    @Option(names = "--crossfade-overshoot", defaultValue = "0", paramLabel = "E",
            description = "A crossfaded code may run this far past either class, its target stopping at the class (default: ${DEFAULT-VALUE}).")
    double crossfadeOvershoot;

    @Option(names = "--crossfade-row-jitter", defaultValue = "0", paramLabel = "J",
            description = "Each W+ row of a crossfaded code moves its own t + U(-J, J), the target following the rows' mean "
                    + "(default: ${DEFAULT-VALUE}).")
    double crossfadeRowJitter;

    @Option(names = "--crossfade-noise", defaultValue = "0", paramLabel = "S",
            description = "Every attribute's class weights of an off-lattice sample get Gaussian noise of this deviation, "
                    + "some samples only that: the target of a small nudge is (nearly) the class itself (default: ${DEFAULT-VALUE}).")
    double crossfadeNoise;

    @Option(names = "--compile-mapping", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Codes mode: at the end, write the codes into the mapping network's weights (MappingCompiler: exact up to "
                    + "narrow ramps at the thresholds) instead of polishing it by regression (default: ${DEFAULT-VALUE}).")
    boolean compileMapping;

    @Option(names = "--ramp", defaultValue = "0.002", paramLabel = "W",
            description = "Codes mode: width of a compiled threshold's ramp, in PixelNorm(z) units (default: ${DEFAULT-VALUE}).")
    double ramp;

    @Option(names = "--polish", defaultValue = "0", paramLabel = "N",
            description = "Codes mode with --no-compile-mapping: mapping-only regression steps (batches of 1024 latents) after "
                    + "training, before the final save (default: ${DEFAULT-VALUE}).")
    int polish;

    @Option(names = "--polish-lr", defaultValue = "0.02", paramLabel = "LR", description = "Codes mode: learning rate of the polish (default: ${DEFAULT-VALUE}).")
    double polishLr;

    @Option(names = "--channels", defaultValue = "4:256,8:256,16:128,32:64,64:32", paramLabel = "RES:CH,...",
            description = "Channel table; its largest resolution is the image size (default: ${DEFAULT-VALUE}).")
    String channels;

    @Option(names = "--style-dim", defaultValue = "128", paramLabel = "D", description = "Dimension of z and w (default: ${DEFAULT-VALUE}).")
    int styleDim;

    @Option(names = "--n-mlp", defaultValue = "4", paramLabel = "L", description = "Mapping layers (default: ${DEFAULT-VALUE}).")
    int nMlp;

    @Option(names = "--ema", defaultValue = "0.998", paramLabel = "DECAY", description = "g_ema decay per step (default: ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--every", defaultValue = "250", paramLabel = "K", description = "Save and sample every K steps (default: ${DEFAULT-VALUE}).")
    long every;

    @Option(names = "--log-every", defaultValue = "25", paramLabel = "K", description = "Progress line every K steps (default: ${DEFAULT-VALUE}).")
    long logEvery;

    @Option(names = "--modulation-lr-mul", defaultValue = "1", paramLabel = "M",
            description = "The synthesis's modulation weights (w -> style) learn at --lr times M. With --one-hot-codes an "
                    + "attribute reaches the synthesis through one coordinate of w at 0.5, so its style moves about 20 "
                    + "times slower per step than from a mapped w; an attribute not drawn before the layout needs a "
                    + "larger M to be learned (default: ${DEFAULT-VALUE}).")
    double modulationLrMul;

    @Option(names = "--detail-weight", defaultValue = "0", paramLabel = "K",
            description = "Weight the L1 per pixel by 1 + K * the detail mask: where the --detail-categories show on the "
                    + "canonical face (WorldData.detailMask), so that lips, eyes and beards count as much as their meaning "
                    + "and not as their few pixels (default: ${DEFAULT-VALUE}, a plain mean).")
    double detailWeight;

    @Option(names = "--detail-categories", split = ",", paramLabel = "C,...",
            defaultValue = "makeup,eye_color,expression,facial_hair,eyewear",
            description = "Categories of the detail mask (default: ${DEFAULT-VALUE}).")
    List<String> detailCategories;

    @Option(names = "--init", paramLabel = "FILE",
            description = "Start from this generator file's g_ema (e.g. an earlier run's generator.pt, or the bundled one) "
                    + "instead of random weights; Adam starts afresh and steps count from 0.")
    Path init;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    /** Human portraits the detail mask averages over. */
    static final int DETAIL_PORTRAITS = 64;

    @Override
    public Integer call() throws Exception {
        if (steps < 0 || (steps == 0 && !(codesMode && init != null))) {
            throw usage("--steps must be positive (0 only with --codes and --init: the mapping's final step alone)");
        }
        if (batch < 1 || lr <= 0 || every < 1 || polish < 0 || polishLr <= 0) throw usage("--batch, --lr, --every and --polish-lr must be positive");
        if (warmup < 0) throw usage("--warmup must not be negative");
        if (ema < 0 || ema >= 1) throw usage("--ema must be in [0, 1)");
        if (oneHot != null && (!codesMode || init == null)) throw usage("--one-hot-codes needs --codes and --init");
        if (oneHot != null && !(oneHot > 0)) throw usage("--one-hot-codes must be positive");
        if (!(crossfade >= 0 && crossfade <= 1)) throw usage("--crossfade must be in [0, 1]");
        if (crossfade > 0 && !codesMode) throw usage("--crossfade needs --codes");
        if (crossfadeFactors < 1 || crossfadeFactors > 3) throw usage("--crossfade-factors must be 1 to 3");
        if (!(crossfadeSharpness >= 0) || !(crossfadeOvershoot >= 0) || !(crossfadeRowJitter >= 0) || !(crossfadeNoise >= 0)) {
            throw usage("--crossfade-sharpness, --crossfade-overshoot, --crossfade-row-jitter and --crossfade-noise must not be negative");
        }
        if (!(detailWeight >= 0)) throw usage("--detail-weight must not be negative");
        if (!(modulationLrMul > 0)) throw usage("--modulation-lr-mul must be positive");
        List<dev.styleclip.world.AttributeCategory> details = new java.util.ArrayList<>();
        for (String c : detailCategories) {
            dev.styleclip.world.AttributeCategory cat;
            try {
                cat = dev.styleclip.world.AttributeCategory.byName(c.trim());
            } catch (IllegalArgumentException e) {
                throw usage("--detail-categories: " + e.getMessage());
            }
            if (!WorldData.DETAIL_CATEGORIES.contains(cat)) {
                throw usage("--detail-categories: no detail mask for " + c + "; known: "
                        + WorldData.DETAIL_CATEGORIES.stream().map(dev.styleclip.world.AttributeCategory::name).toList());
            }
            details.add(cat);
        }
        var ch = GanOptions.parseChannels(channels);
        int size = ch.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (styleDim < dev.styleclip.world.WorldPrior.USED_DIMENSIONS) {
            throw usage("--style-dim must be at least " + dev.styleclip.world.WorldPrior.USED_DIMENSIONS + " (the world's latent slots)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) throw new java.io.IOException(out + " exists and is not a folder");
        Files.createDirectories(out.resolve("samples"));
        var err = spec.commandLine().getErr();
        var o = spec.commandLine().getOut();
        var opts = new RenderDistillation.Options(new GeneratorConfig(size, styleDim, nMlp, ch), batch, lr, ema, seed, warmup,
                new RenderDistillation.Interpolation(crossfade, crossfadeFactors, crossfadeSharpness, crossfadeOvershoot, crossfadeRowJitter, crossfadeNoise),
                modulationLrMul);
        Path file = out.resolve("generator.pt");
        StepPrinter printer = new StepPrinter(err, "generator", logEvery);
        try (RenderDistillation t = new RenderDistillation(opts, WorldData.priorRenders(size), codesMode ? WorldData.priorFactors() : null)) {
            if (init != null) {
                t.initFrom(init);
                o.println("started from " + init);
            }
            if (oneHot != null) {
                double moved = t.relayout(dev.styleclip.train.gan.LatentCodes.oneHot(WorldData.priorFactors(), styleDim, oneHot), ramp);
                o.printf("re-laid the codes one-hot at distance %s (images moved by at most %.4f)%n", oneHot, moved);
            }
            if (detailWeight > 0) {
                float[] mask = WorldData.detailMask(details, DETAIL_PORTRAITS, size, seed);
                float[] w = new float[mask.length];
                double mean = 0;
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (1 + detailWeight * mask[i]);
                    mean += w[i] / w.length;
                }
                t.setPixelWeights(w);
                o.printf("L1 weighted by 1 + %s * the detail mask of %s (mean weight %.3f)%n", detailWeight,
                        details.stream().map(dev.styleclip.world.AttributeCategory::name).toList(), mean);
            }
            org.bytedeco.pytorch.global.torch.manual_seed(12345);
            Tensor fixed = org.bytedeco.pytorch.global.torch.randn(8, styleDim);
            double running = Double.NaN;
            while (t.nextStep() < steps && !Stop.requested()) {
                double loss = t.step();
                running = Double.isNaN(running) ? loss : 0.95 * running + 0.05 * loss;
                printer.step(t.nextStep() - 1, steps, codesMode && !t.codesFixed()
                        ? String.format("L1 %.4f (avg %.4f) mapping mse %.4f", loss, running, t.lastMappingLoss())
                        : String.format("L1 %.4f (avg %.4f)", loss, running));
                if (t.nextStep() % every == 0 || t.nextStep() == steps) {
                    save(t, file);
                    t.writeSamples(fixed, out.resolve("samples").resolve(String.format("%06d.png", t.nextStep())));
                    o.printf("step %d: wrote %s (g_ema L1 on the sample latents %.4f)%n", t.nextStep(), file, t.emaLoss(fixed));
                    o.flush();
                }
            }
            if (Stop.requested()) {
                save(t, file);
                o.println("stopped at step " + t.nextStep() + ": wrote " + file
                        + (codesMode && !t.codesFixed() ? " and its codes; polish the mapping with --codes --steps 0 --init " + file
                        : codesMode ? " and its codes (the mapping is compiled for them)" : ""));
            } else if (codesMode && compileMapping) {
                double mse = t.compileMapping(ramp);
                save(t, file);
                t.writeSamples(fixed, out.resolve("samples").resolve(String.format("%06d_compiled.png", t.nextStep())));
                o.printf("mapping compiled (mse to the codes %.5f): wrote %s (g_ema L1 on the sample latents %.4f)%n", mse, file,
                        t.emaLoss(fixed));
            } else if (codesMode && polish > 0) {
                StepPrinter pp = new StepPrinter(err, "mapping polish", Math.max(1, polish / 20));
                double mse = t.polishMapping(polish, 1024, polishLr, (i, e) -> pp.step(i - 1, polish, String.format("mse %.5f", e)));
                save(t, file);
                t.writeSamples(fixed, out.resolve("samples").resolve(String.format("%06d_polished.png", t.nextStep())));
                o.printf("mapping polished (%d steps, mse %.5f): wrote %s (g_ema L1 on the sample latents %.4f)%n", polish, mse, file,
                        t.emaLoss(fixed));
            }
        }
        return 0;
    }

    /** The generator file, and in codes mode its codes beside it (where --init picks them up). */
    private void save(RenderDistillation t, Path file) throws java.io.IOException {
        t.saveGenerator(file, true);
        if (codesMode) t.saveCodes(file.resolveSibling(RenderDistillation.CODES_FILE));
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
