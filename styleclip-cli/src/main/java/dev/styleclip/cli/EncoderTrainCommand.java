package dev.styleclip.cli;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.invert.encoder.RealImages;
import dev.styleclip.io.Hashes;
import dev.styleclip.train.WorldData;
import dev.styleclip.invert.encoder.EncoderTrainer;
import dev.styleclip.invert.encoder.EncoderTraining;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip encoder train}: options into {@link EncoderTrainer.Options}, an {@link EncoderTraining} run, progress on stderr. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an encoder for a generator on the generator's own images.",
                "Each step draws W+ codes (two z style-mixed at a random row, each row moved by its own small Gaussian offset), "
                        + "renders them with constant noise, encodes the images and minimises --latent-weight times the squared "
                        + "error of the codes (in units of the codes' own variance) plus --image-weight times the image loss "
                        + "(invert's: pixel MSE + --ssim-weight times 1 - SSIM + --clip-feature-weight times the CLIP-feature "
                        + "distance) between the generator's image of the predicted code and the image, with Adam.",
                "On the bundled generator each step also encodes --real-batch procedural renders (training seeds only; each as "
                        + "it is, shifted, rotated or JPEG-compressed), pictures the generator did not draw, by the image loss alone.",
                "It writes the encoder to OUT and the run's state beside it, OUT's name with .state.pt for .pt (E.pt gets "
                        + "E.state.pt), every --every steps and at the end; --resume continues the run from that state exactly "
                        + "as if it had not stopped, up to a new --steps.",
                "Ctrl-C (SIGINT) or SIGTERM stops the run after the current step, writes both files and exits with 130 or 143.",
                "With --resume the run's options come from its state; only --generator (the same file), --steps, --every and "
                        + "--log-every may be given."})
public final class EncoderTrainCommand implements Callable<Integer> {
    static final EncoderTrainer.Options DEFAULTS = EncoderTrainer.Options.DEFAULTS;
    private static final Set<String> WITH_RESUME = Set.of("--resume", "--out", "--generator", "--clip", "--steps", "--every", "--log-every",
            "--verbose");
    /** Renders per step on the bundled generator. */
    static final int BUNDLED_REAL_BATCH = 4;
    /** Where the encoder's renders start among the world's training seeds. */
    static final long RENDER_SEEDS = 7_000_000L;

    @Option(names = "--generator", paramLabel = "G", description = "StyleGAN2 checkpoint to train for (default: the bundled 64-px world generator).")
    Path generator;

    @Option(names = "--out", paramLabel = "E.pt", required = true, description = "The encoder file; the state goes beside it (E.state.pt).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "Train until this many steps are done (default: ${DEFAULT-VALUE}).")
    int steps = DEFAULTS.steps();

    @Option(names = "--batch", paramLabel = "B", description = "Generated images per step (default: ${DEFAULT-VALUE}).")
    int batch = DEFAULTS.batch();

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double lr = DEFAULTS.lr();

    @Option(names = "--latent-weight", paramLabel = "X", description = "Weight of the codes' squared error (default: ${DEFAULT-VALUE}).")
    double latentWeight = DEFAULTS.latentWeight();

    @Option(names = "--image-weight", paramLabel = "X", description = "Weight of the image loss; 0 = codes alone (default: ${DEFAULT-VALUE}).")
    double imageWeight = DEFAULTS.imageWeight();

    @Option(names = "--ssim-weight", paramLabel = "X", description = "Weight of 1 - SSIM in the image loss; 0 = pixel MSE alone (default: ${DEFAULT-VALUE}).")
    double ssimWeight = DEFAULTS.ssimWeight();

    @Option(names = "--clip-feature-weight", paramLabel = "X", description = "Weight of the CLIP-feature distance in the image loss; "
            + "above 0 it needs a CLIP (--clip, default the bundled one) and costs a CLIP pass per image (default: ${DEFAULT-VALUE}).")
    double clipFeatureWeight = DEFAULTS.clipFeatureWeight();

    @Option(names = "--clip", paramLabel = "C", description = "CLIP checkpoint of the CLIP-feature distance (default: the bundled small CLIP).")
    Path clip;

    @Option(names = "--real-batch", paramLabel = "R", description = "Procedural renders per step, bundled generator only (default: "
            + BUNDLED_REAL_BATCH + " on the bundled generator, else 0).")
    Integer realBatch;

    @Option(names = "--mixing", paramLabel = "P", description = "Probability that a code is style-mixed, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double mixing = DEFAULTS.mixing();

    @Option(names = "--jitter", paramLabel = "X", description = "Per-row Gaussian offset of the codes, in units of the spread of w (default: ${DEFAULT-VALUE}).")
    double jitter = DEFAULTS.jitter();

    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of the codes, in (0, 1]; 1 = none (default: ${DEFAULT-VALUE}).")
    double truncation = DEFAULTS.truncation();

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the initial weights and of every step's codes (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--every", paramLabel = "K", description = "Write the encoder and the state every K steps (default: ${DEFAULT-VALUE}).")
    int every = 100;

    @Option(names = "--log-every", paramLabel = "N", description = "A progress line every N steps (default: ${DEFAULT-VALUE}).")
    int logEvery = 10;

    @Option(names = "--resume", description = "Continue the run whose state is beside OUT.")
    boolean resume;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("every", every, 1);
        Checks.atLeast("log-every", logEvery, 1);
        Checks.atLeast("steps", steps, 1);
        boolean bundled = generator == null || (BundledModels.available() && Hashes.sha256(generator).equals(BundledModels.generatorSha256()));
        int real = realBatch != null ? realBatch : bundled ? BUNDLED_REAL_BATCH : 0;
        if (real > 0 && !bundled) throw new SettingException("real-batch", "renders exist for the bundled generator only; give 0");
        RealImages renders = bundled ? WorldData.renders(BundledModels.IMAGE_SIZE, RENDER_SEEDS) : null;
        EncoderTraining.Settings settings = new EncoderTraining.Settings(generator, clip, renders, out, every);
        PrintWriter stdout = spec.commandLine().getOut();
        Progress progress = new Progress();
        EncoderTraining.Result r;
        if (resume) {
            checkResumeOptions(settings);
            r = EncoderTraining.resume(settings, spec.commandLine().getParseResult().hasMatchedOption("--steps") ? steps : 0, progress);
        } else {
            EncoderTrainer.Options opts = new EncoderTrainer.Options(steps, batch, lr, seed, latentWeight, imageWeight, ssimWeight, clipFeatureWeight,
                    mixing, jitter, truncation, real);
            if (Files.exists(settings.state())) {
                throw usage(settings.state() + " exists: continue that run with --resume, or remove it to start a new one");
            }
            r = EncoderTraining.start(settings, opts, progress);
        }
        if (r.outcome() == EncoderTrainer.Outcome.STOPPED) {
            stdout.println("stopped after step " + r.stepsDone() + "; continue with: styleclip encoder train --resume --out " + out);
        } else {
            stdout.println("finished " + r.stepsDone() + " steps; encoder in " + out);
        }
        stdout.flush();
        return 0;
    }

    private void checkResumeOptions(EncoderTraining.Settings settings) {
        for (var m : spec.commandLine().getParseResult().matchedOptions()) {
            if (!WITH_RESUME.contains(m.longestName())) {
                throw usage(m.longestName() + " cannot be combined with --resume: the run's options come from its saved state");
            }
        }
        if (!Files.exists(settings.state())) throw usage("--resume: no " + settings.state() + " beside " + out);
    }

    /** The run's settings on stdout before its first step, a progress line every --log-every steps on stderr, written files on stdout. */
    private final class Progress implements EncoderTraining.Listener {
        private final PrintWriter err = spec.commandLine().getErr();
        private final PrintWriter stdout = spec.commandLine().getOut();
        private StepPrinter printer;

        @Override
        public void onStart(String g, EncoderTrainer t) {
            EncoderTrainer.Options o = t.options();
            stdout.printf("encoder train: generator %s, encoder %s (%,d parameters), batch %d, lr %s, steps %d-%d%n", g, t.network().config(),
                    t.network().parameterCount(), o.batch(), o.lr(), t.nextStep(), o.steps());
            stdout.flush();
            printer = new StepPrinter(err, "encoder", logEvery);
        }

        @Override
        public void onStep(long step, long total, EncoderTrainer.StepLosses l) {
            printer.step(step, total, Double.isNaN(l.real())
                    ? String.format(Locale.ROOT, "latent %.4f image %.4f", l.latent(), l.image())
                    : String.format(Locale.ROOT, "latent %.4f image %.4f renders %.4f", l.latent(), l.image(), l.real()));
        }

        @Override
        public void onFileWritten(long step, Path file) {
            stdout.println("wrote " + file);
            stdout.flush();
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
