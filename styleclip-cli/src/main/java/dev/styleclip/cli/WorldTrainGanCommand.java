package dev.styleclip.cli;

import dev.styleclip.io.OutputFiles;
import dev.styleclip.train.gan.GanOptions;
import dev.styleclip.train.gan.GanRun;
import dev.styleclip.train.gan.GanTrainer;
import dev.styleclip.train.gan.ImageBatches;
import dev.styleclip.train.gan.ImageFolderBatches;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip world train-gan}: options into {@link GanOptions} and {@link GanRun.Settings}; progress on stderr. */
@Command(name = "train-gan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small StyleGAN2 on a folder of images with rosinality's train.py recipe.",
                "The recipe: non-saturating logistic loss, lazy R1, style mixing, Adam lr 0.002 betas (0, 0.99) and g_ema.",
                "Writes OUT/samples/NNNNNN.png (g_ema, 4x4 grid) and OUT/checkpoints/NNNNNN.pt (rosinality's {'g', 'd', 'g_ema'} plus "
                        + "latent_avg: `styleclip generate --generator` takes it) every --every steps and at the end, and "
                        + "OUT/checkpoints/train_state.pt, from which --resume continues exactly. Ctrl-C stops after the current step and saves."})
public final class WorldTrainGanCommand implements Callable<Integer> {
    @Option(names = "--images", paramLabel = "DIR", required = true, description = "Folder of SIZExSIZE PNG/JPEG training images.")
    Path images;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--steps", paramLabel = "S", description = "Train until this many steps are done (default: ${DEFAULT-VALUE}).")
    long steps = 10_000;

    @Option(names = "--resume", description = "Continue the run in OUT from OUT/checkpoints/train_state.pt (its options are kept).")
    boolean resume;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size, a multiple of 4 (default: ${DEFAULT-VALUE}).")
    int batch = 16;

    @Option(names = "--size", paramLabel = "PX", description = "Image size (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--style-dim", paramLabel = "D", description = "z / w dimension (default: ${DEFAULT-VALUE}).")
    int styleDim = 128;

    @Option(names = "--n-mlp", paramLabel = "N", description = "Mapping network depth (default: ${DEFAULT-VALUE}).")
    int nMlp = 4;

    @Option(names = "--channels", paramLabel = "R:C,...", description = "Channels per resolution (default: ${DEFAULT-VALUE}).")
    String channels = "4:256,8:256,16:128,32:64,64:32";

    @Option(names = "--r1", paramLabel = "GAMMA", description = "R1 weight, every 16 steps; 0 = off (default: ${DEFAULT-VALUE}).")
    double r1 = 10;

    @Option(names = "--path-regularize", paramLabel = "X",
            description = "Path-length regularisation weight, every 4 steps; rosinality uses 2 (default: ${DEFAULT-VALUE} = off).")
    double pathRegularize = 0;

    @Option(names = "--mixing", paramLabel = "P", description = "Style-mixing probability (default: ${DEFAULT-VALUE}).")
    double mixing = 0.9;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 0.002;

    @Option(names = "--ema-kimg", paramLabel = "K", description = "g_ema half-life in thousands of images (default: ${DEFAULT-VALUE}).")
    double emaKimg = 10;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the weights, z, mixing, noise and data order (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--every", paramLabel = "N", description = "Samples and checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    int every = 200;

    @Option(names = "--log-every", paramLabel = "N", description = "A progress line every N steps (default: ${DEFAULT-VALUE}).")
    int logEvery = 10;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    /** The options a resumed run may take: the rest come from its saved state. */
    private static final Set<String> WITH_RESUME = Set.of("--resume", "--steps", "--out", "--images", "--every", "--log-every", "--verbose");

    @Override
    public Integer call() throws Exception {
        if (every < 1 || logEvery < 1) throw usage("--every and --log-every must be >= 1");
        GanRun.Settings settings = new GanRun.Settings(out, steps, every);
        GanOptions opts = resume ? savedOptions() : newOptions();
        OutputFiles.checkFolder(out);
        ImageBatches source = ImageFolderBatches.read(images, opts.size(), opts.seed());
        Progress progress = new Progress();
        GanRun.Result r = resume ? GanRun.resume(source, settings, progress) : GanRun.start(opts, source, settings, progress);
        PrintWriter stdout = spec.commandLine().getOut();
        if (r.outcome() == GanTrainer.Outcome.STOPPED) {
            stdout.println("stopped after step " + r.stepsDone() + "; continue with --resume --out " + out);
        } else {
            stdout.println("finished " + steps + " steps; checkpoints in " + out.resolve(GanRun.CHECKPOINTS));
        }
        stdout.flush();
        return 0;
    }

    private GanOptions savedOptions() throws java.io.IOException {
        for (var m : spec.commandLine().getParseResult().matchedOptions()) {
            if (!WITH_RESUME.contains(m.longestName())) {
                throw usage(m.longestName() + " cannot be combined with --resume: the run's options come from its saved state");
            }
        }
        Path state = GanRun.stateFile(out);
        if (!Files.exists(state)) throw usage("--resume: no " + state);
        return GanTrainer.savedOptions(state);
    }

    private GanOptions newOptions() {
        try {
            return new GanOptions(size, styleDim, nMlp, GanOptions.parseChannels(channels), batch, lr, r1, 16, pathRegularize, 4, 2, mixing,
                    emaKimg, seed);
        } catch (dev.styleclip.check.SettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** The run's options on stdout before its first step, a progress line every --log-every steps (and the last) on stderr, checkpoints on stdout. */
    private final class Progress implements GanRun.Listener {
        private static final int WIDTH = 20;
        private final PrintWriter err = spec.commandLine().getErr();
        private final PrintWriter stdout = spec.commandLine().getOut();
        private final long start = System.nanoTime();
        private long firstStep = -1;

        @Override
        public void onStart(GanOptions o, long firstStep, long steps) {
            stdout.printf("train-gan: %d px, style_dim %d, n_mlp %d, channels %s, batch %d, r1 %s, path_regularize %s, steps %d-%d%n", o.size(),
                    o.styleDim(), o.nMlp(), GanOptions.formatChannels(o.channels()), o.batch(), o.r1(), o.pathRegularize(), firstStep, steps);
            stdout.flush();
        }

        @Override
        public void onStep(long step, long until, GanTrainer.StepLosses l) {
            if (firstStep < 0) firstStep = step;
            if ((step + 1) % logEvery != 0 && step != until - 1) return;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double perStep = elapsed / (step - firstStep + 1);
            int filled = (int) Math.round(WIDTH * (step + 1) / (double) until);
            err.printf("step %d/%d [%s%s] d %.4f g %.4f r1 %.4f%s | %.2f s/step, elapsed %s, left %s%n", step + 1, until,
                    "#".repeat(filled), "-".repeat(WIDTH - filled), l.d(), l.g(), l.r1(), l.path() != 0 ? String.format(" path %.4f", l.path()) : "",
                    perStep, TrainProgress.clock(elapsed), TrainProgress.clock(perStep * (until - step - 1)));
            err.flush();
        }

        @Override
        public void onFileWritten(long step, Path file) {
            if (file.toString().endsWith(".pt")) {
                stdout.println("wrote " + out.relativize(file));
                stdout.flush();
            }
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
