package dev.styleclip.cli;

import dev.styleclip.edit.mapper.MapperLevel;
import dev.styleclip.edit.mapper.MapperOptions;
import dev.styleclip.edit.mapper.MapperTrainer;
import dev.styleclip.edit.mapper.MapperTraining;
import dev.styleclip.edit.mapper.TrainState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip mapper train}: options to {@link MapperOptions}, then a {@link MapperTraining} run with a progress bar. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a latent mapper for one prompt, as StyleCLIP's mapper/scripts/train.py does (the defaults are its TrainOptions').",
                "The loss is clip_lambda * CLIP + latent_l2_lambda * MSE(w_hat, w) + id_lambda * ID, optimised with Ranger (or Adam).",
                "It writes EXP/checkpoints/iteration_<step>.pt (the reference's checkpoint format) every --save-interval steps and at the end, "
                        + "best_model.pt when the validation loss improves, train_state.pt (the state to --resume from) with every checkpoint, "
                        + "and EXP/logs/ (images, metrics.jsonl).",
                "Ctrl-C (SIGINT) or SIGTERM stops the run after the current step, saves its state to EXP/checkpoints/train_state.pt "
                        + "and exits with 130 or 143; the checkpoints and logs already written stay, and --resume with that file continues "
                        + "the run exactly where it stopped.",
                "With --resume every option comes from the saved state; only --max-steps (and --exp-dir) may be given."})
public final class MapperTrainCommand implements Callable<Integer> {
    static final MapperOptions DEFAULTS = MapperOptions.defaults("");
    private static final Set<String> RESUME_OPTIONS = Set.of("--resume", "--max-steps", "--exp-dir", "--verbose");

    @Option(names = "--description", paramLabel = "TEXT", description = "The driving text prompt (required for a new run).")
    String description;
    @Option(names = "--clip", paramLabel = "C", description = "CLIP checkpoint (ViT-B/32 in the reference; required for a new run).")
    Path clip;
    @Option(names = "--generator", paramLabel = "G", description = "StyleGAN2 generator checkpoint (the decoder; --stylegan_weights).")
    Path generator;
    @Option(names = "--checkpoint", paramLabel = "M",
            description = "Mapper checkpoint to start from (--checkpoint_path); its decoder is used unless --generator is given.")
    Path checkpoint;

    @Option(names = "--exp-dir", paramLabel = "DIR", description = "Output folder (required for a new run).")
    Path expDir;

    @Option(names = "--latents-train", paramLabel = "FILE",
            description = "Training W+ latents (.pt/.npy, e.g. e4e-inverted CelebA-HQ); default: sample from the generator.")
    Path latentsTrain;
    @Option(names = "--latents-test", paramLabel = "FILE", description = "Validation W+ latents; default: sample from the generator.")
    Path latentsTest;

    @Option(names = "--train-dataset-size", paramLabel = "N", description = "Latents to sample without --latents-train (default: ${DEFAULT-VALUE}).")
    int trainDatasetSize = DEFAULTS.trainDatasetSize();
    @Option(names = "--test-dataset-size", paramLabel = "N",
            description = "Latents to sample without --latents-test; 0 = no validation (default: ${DEFAULT-VALUE}).")
    int testDatasetSize = DEFAULTS.testDatasetSize();
    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of sampled latents, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double truncation = DEFAULTS.latentsTruncation();

    @Option(names = "--levels", split = ",", paramLabel = "L", description = "Sub-mappers to train: coarse, medium, fine (default: all three).")
    List<String> levels;

    @Option(names = "--optimizer", paramLabel = "ranger|adam", description = "Optimizer (default: ${DEFAULT-VALUE}, as the reference). Ranger's RAdam "
            + "rectification scales its early steps down (by 0.05 at step 10, 0.34 at step 250, 0.83 at step 2000; beta2 0.999) "
            + "and Lookahead halves them, so a run of a few hundred steps barely moves the mapper; short runs learn with adam "
            + "(e.g. --lr 1).")
    String optimizer = DEFAULTS.optimizer().optName();

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate, above 0 (default: ${DEFAULT-VALUE}).")
    double lr = DEFAULTS.learningRate();

    @Option(names = "--batch-size", paramLabel = "B", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();
    @Option(names = "--test-batch-size", paramLabel = "B", description = "Validation batch size (default: ${DEFAULT-VALUE}).")
    int testBatchSize = DEFAULTS.testBatchSize();

    @Option(names = "--clip-lambda", paramLabel = "X", description = "Weight of the CLIP loss (default: ${DEFAULT-VALUE}).")
    double clipLambda = DEFAULTS.clipLambda();
    @Option(names = "--latent-l2-lambda", paramLabel = "X", description = "Weight of MSE(w_hat, w) (default: ${DEFAULT-VALUE}).")
    double latentL2Lambda = DEFAULTS.latentL2Lambda();
    @Option(names = "--id-lambda", paramLabel = "X", description = "Weight of the ArcFace identity loss; 0 = off (default: ${DEFAULT-VALUE}).")
    double idLambda = DEFAULTS.idLambda();
    @Option(names = "--ir-se50", paramLabel = "FILE", description = "ArcFace IR-SE50 weights (model_ir_se50.pth) for the identity loss.")
    Path irSe50;

    @Option(names = "--max-steps", paramLabel = "N", description = "Number of updates (default: ${DEFAULT-VALUE}).")
    int maxSteps = DEFAULTS.maxSteps();
    @Option(names = "--image-interval", paramLabel = "N", description = "Training images every N steps (default: ${DEFAULT-VALUE}).")
    int imageInterval = DEFAULTS.imageInterval();
    @Option(names = "--board-interval", paramLabel = "N", description = "Progress and metrics every N steps (default: ${DEFAULT-VALUE}).")
    int boardInterval = DEFAULTS.boardInterval();
    @Option(names = "--val-interval", paramLabel = "N", description = "Validation (and its images) every N steps (default: ${DEFAULT-VALUE}).")
    int valInterval = DEFAULTS.valInterval();
    @Option(names = "--save-interval", paramLabel = "N", description = "Checkpoint and resumable state every N steps (default: ${DEFAULT-VALUE}).")
    int saveInterval = DEFAULTS.saveInterval();

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the mapper's initialisation, sampled latents and data order (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--resume", paramLabel = "STATE", description = "Continue a run from its EXP/checkpoints/train_state.pt.")
    Path resume;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (MapperTraining run = resume != null ? resumed() : MapperTraining.start(newOptions())) {
            MapperOptions opts = run.options();
            out.printf("mapper train: \"%s\", %d training latents, %s, lr %s, steps %d-%d of %d%n", opts.description(), run.trainingLatents(),
                    opts.optimizer().optName(), opts.learningRate(), run.trainer().nextStep(), opts.maxSteps() - 1, opts.maxSteps());
            out.flush();
            TrainProgress progress = new TrainProgress(spec.commandLine().getErr(), out, Path.of(opts.expDir()), opts.boardInterval());
            if (run.run(progress) == MapperTrainer.Outcome.STOPPED) {
                out.println("stopped before step " + run.trainer().nextStep() + "; continue with: styleclip mapper train --resume " + run.stateFile());
            } else {
                out.println("finished " + opts.maxSteps() + " steps; checkpoints in " + run.checkpoints());
            }
            out.flush();
        }
        return 0;
    }

    private MapperOptions newOptions() {
        return MapperOptions.builder().description(description).clip(clip).generator(generator).checkpoint(checkpoint).expDir(expDir)
                .latentsTrain(latentsTrain).latentsTest(latentsTest).trainDatasetSize(trainDatasetSize).testDatasetSize(testDatasetSize)
                .truncation(truncation).levels(levels == null ? MapperLevel.all() : MapperLevel.parseLevels(levels))
                .optimizer(optimizer).lr(lr).batchSize(batchSize).testBatchSize(testBatchSize).clipLambda(clipLambda)
                .latentL2Lambda(latentL2Lambda).idLambda(idLambda).irSe50(irSe50).maxSteps(maxSteps).imageInterval(imageInterval)
                .boardInterval(boardInterval).valInterval(valInterval).saveInterval(saveInterval).seed(seed).build();
    }

    /** The saved run, with --max-steps and --exp-dir if given; any other option is a usage error (checked before reading). */
    private MapperTraining resumed() throws java.io.IOException {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (var matched : parsed.matchedOptions()) {
            if (!RESUME_OPTIONS.contains(matched.longestName())) {
                throw new CommandLine.ParameterException(spec.commandLine(), matched.longestName() + " cannot be combined with --resume:"
                        + " the run's options come from the saved state (only --max-steps and --exp-dir may change)");
            }
        }
        TrainState state = TrainState.read(resume);
        MapperOptions opts = state.options();
        if (parsed.hasMatchedOption("--max-steps")) opts = opts.withMaxSteps(maxSteps);
        if (expDir != null) opts = opts.withExpDir(expDir);
        return MapperTraining.resume(state, opts);
    }
}
