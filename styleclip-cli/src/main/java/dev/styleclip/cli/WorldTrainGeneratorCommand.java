package dev.styleclip.cli;

import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.train.gan.GanOptions;
import dev.styleclip.train.gan.RenderDistillation;
import dev.styleclip.train.gan.RenderDistillationRun;
import dev.styleclip.train.gan.RenderDistillationRun.MappingFinish;
import dev.styleclip.train.gan.RenderDistillationRun.Mode;
import dev.styleclip.world.AttributeCategory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip world train-generator}: options into {@link RenderDistillationRun.Settings}; progress on stderr, the run's notes on stdout. */
@Command(name = "train-generator", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the bundled StyleGAN2 generator by distilling the world's renderer.",
                "For each latent z the target is the render of the portrait z stands for (WorldPrior), the loss L1. Reproducible from --seed.",
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

    @Override
    public Integer call() throws Exception {
        var channelTable = GanOptions.parseChannels(channels);
        int size = channelTable.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        var interpolation = new RenderDistillation.Interpolation(crossfade, crossfadeFactors, crossfadeSharpness, crossfadeOvershoot,
                crossfadeRowJitter, crossfadeNoise);
        var options = new RenderDistillation.Options(new GeneratorConfig(size, styleDim, nMlp, channelTable), batch, lr, ema, seed, warmup,
                interpolation, modulationLrMul);
        var settings = new RenderDistillationRun.Settings(options, codesMode ? Mode.CODES : Mode.PLAIN, steps, init,
                oneHot == null ? OptionalDouble.empty() : OptionalDouble.of(oneHot), ramp, compileMapping ? MappingFinish.COMPILE : MappingFinish.POLISH,
                polish, polishLr, detailWeight, detailCategories(), every, out);
        RenderDistillationRun.run(settings, new Report());
        return 0;
    }

    private List<AttributeCategory> detailCategories() {
        List<AttributeCategory> out = new ArrayList<>();
        for (String c : detailCategories) {
            try {
                out.add(AttributeCategory.byName(c.trim()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--detail-categories: " + e.getMessage());
            }
        }
        return out;
    }

    /** Progress lines on stderr every --log-every steps (and the polish's every 5%); the run's notes on stdout. */
    private final class Report implements RenderDistillationRun.Listener {
        private final PrintWriter err = spec.commandLine().getErr();
        private final StepPrinter printer = new StepPrinter(err, "generator", logEvery);
        private StepPrinter polishPrinter;

        @Override
        public void onStep(long step, long steps, double l1, double averageL1, OptionalDouble mappingMse) {
            printer.step(step, steps, mappingMse.isPresent()
                    ? String.format("L1 %.4f (avg %.4f) mapping mse %.4f", l1, averageL1, mappingMse.getAsDouble())
                    : String.format("L1 %.4f (avg %.4f)", l1, averageL1));
        }

        @Override
        public void onPolishStart(int updates) {
            polishPrinter = new StepPrinter(err, "mapping polish", Math.max(1, updates / 20));
        }

        @Override
        public void onPolishStep(long done, int updates, double mse) {
            polishPrinter.step(done - 1, updates, String.format("mse %.5f", mse));
        }

        @Override
        public void onNote(String line) {
            spec.commandLine().getOut().println(line);
            spec.commandLine().getOut().flush();
        }
    }
}
