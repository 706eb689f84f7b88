package dev.styleclip.cli;

import dev.styleclip.stop.Stop;
import dev.styleclip.train.gan.GanListener;
import dev.styleclip.train.gan.GanOptions;
import dev.styleclip.train.gan.GanTrainer;
import dev.styleclip.train.gan.ImageBatches;
import dev.styleclip.train.gan.ImageFolderBatches;
import java.io.IOException;
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

@Command(name = "train-gan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small StyleGAN2 (rosinality's train.py recipe: non-saturating logistic loss, lazy R1, style mixing,",
                "Adam lr 0.002 betas (0, 0.99), g_ema) on real images.",
                "Writes OUT/samples/NNNNNN.png (g_ema, 4x4 grid) and OUT/checkpoints/NNNNNN.pt (rosinality's {'g', 'd', 'g_ema'} plus",
                "latent_avg: `styleclip generate --generator` takes it) every --every steps and at the end, and",
                "OUT/checkpoints/train_state.pt, from which --resume continues exactly. Ctrl-C stops after the current step and saves."})
public final class WorldTrainGanCommand implements Callable<Integer> {
    @Option(names = "--images", paramLabel = "DIR", description = "Folder of SIZExSIZE PNG/JPEG training images.")
    Path images;

    @Option(names = "--images-seed", paramLabel = "N",
            description = "Render the training images from the procedural portrait world with this seed (needs the world renderer).")
    Long imagesSeed;

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

    @Override
    public Integer call() throws Exception {
        if (every < 1 || logEvery < 1) throw usage("--every and --log-every must be >= 1");
        Path statePath = out.resolve("checkpoints").resolve(GanTrainer.STATE_FILE);
        GanOptions opts;
        if (resume) {
            Set<String> allowed = Set.of("--resume", "--steps", "--out", "--images", "--images-seed", "--every", "--log-every", "--verbose");
            for (var m : spec.commandLine().getParseResult().matchedOptions()) {
                if (!allowed.contains(m.longestName())) throw usage(m.longestName() + " cannot be combined with --resume: the run's options come from its saved state");
            }
            if (!Files.exists(statePath)) throw usage("--resume: no " + statePath);
            opts = GanTrainer.savedOptions(statePath);
        } else {
            try {
                opts = new GanOptions(size, styleDim, nMlp, GanOptions.parseChannels(channels), batch, lr, r1, 16, pathRegularize, 4, 2, mixing,
                        emaKimg, seed);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        ImageBatches source = images(opts);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        train(opts, source, resume ? statePath : null, steps, out, every, logEvery, stdout, stderr);
        return 0;
    }

    /** The image source: a folder for now. The world renderer plugs in here for --images-seed. */
    private ImageBatches images(GanOptions opts) throws IOException {
        if ((images == null) == (imagesSeed == null)) throw usage("give one of --images DIR or --images-seed N");
        if (imagesSeed != null) {
            throw usage("--images-seed needs the procedural portrait renderer, which this build does not have yet; use --images DIR");
        }
        return ImageFolderBatches.read(images, opts.size(), opts.seed());
    }

    /**
     * The whole command for any image source (the hook for the world renderer): a new run from {@code opts}, or the run
     * saved in {@code resumeState} (then {@code opts} is ignored); steps until {@code steps} are done; files under {@code out}.
     */
    public static GanTrainer.Outcome train(GanOptions opts, ImageBatches images, Path resumeState, long steps, Path out, int every,
                                           int logEvery, PrintWriter stdout, PrintWriter stderr) throws IOException {
        try (GanTrainer trainer = resumeState != null ? GanTrainer.resume(resumeState, images) : GanTrainer.create(opts, images)) {
            GanOptions o = trainer.options();
            stdout.printf("train-gan: %d px, style_dim %d, n_mlp %d, channels %s, batch %d, r1 %s, path_regularize %s, steps %d-%d%n", o.size(),
                    o.styleDim(), o.nMlp(), GanOptions.formatChannels(o.channels()), o.batch(), o.r1(), o.pathRegularize(), trainer.nextStep(), steps);
            stdout.flush();
            GanTrainer.Outcome outcome = trainer.run(steps, out, every, new Progress(stderr, stdout, out, logEvery));
            if (outcome == GanTrainer.Outcome.STOPPED) {
                stdout.println("stopped after step " + trainer.nextStep() + "; continue with --resume --out " + out);
            } else {
                stdout.println("finished " + steps + " steps; checkpoints in " + out.resolve("checkpoints"));
            }
            stdout.flush();
            return outcome;
        }
    }

    /** One progress line every N steps (and the last) on stderr, written checkpoints on stdout. */
    private static final class Progress implements GanListener {
        private static final int WIDTH = 20;
        private final PrintWriter err;
        private final PrintWriter out;
        private final Path dir;
        private final int logEvery;
        private final long start = System.nanoTime();
        private long firstStep = -1;

        Progress(PrintWriter err, PrintWriter out, Path dir, int logEvery) {
            this.err = err;
            this.out = out;
            this.dir = dir;
            this.logEvery = logEvery;
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
                out.println("wrote " + dir.relativize(file));
                out.flush();
            }
        }

        @Override
        public boolean stopRequested() {
            return Stop.requested();
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
