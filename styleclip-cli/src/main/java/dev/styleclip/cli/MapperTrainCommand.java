package dev.styleclip.cli;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.mapper.BatchOrder;
import dev.styleclip.edit.mapper.DecoderWeights;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import dev.styleclip.edit.mapper.MapperLevel;
import dev.styleclip.edit.mapper.MapperOptions;
import dev.styleclip.edit.mapper.MapperTrainer;
import dev.styleclip.optim.OptimizerName;
import dev.styleclip.edit.mapper.TrainState;
import dev.styleclip.edit.mapper.TrainingLatents;
import dev.styleclip.stylegan2.Generator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a latent mapper for one prompt (StyleCLIP mapper/scripts/train.py; defaults are its TrainOptions).",
                "loss = clip_lambda * CLIP + latent_l2_lambda * MSE(w_hat, w) + id_lambda * ID, optimised with Ranger (or Adam).",
                "Writes EXP/checkpoints/iteration_<step>.pt (the reference's checkpoint format), best_model.pt, train_state.pt",
                "(for --resume), and EXP/logs/ (images, metrics.jsonl). Ctrl-C stops after the current step and saves the state.",
                "With --resume every option comes from the saved state; only --max-steps (and --exp-dir) may be given."})
public final class MapperTrainCommand implements Callable<Integer> {
    static final MapperOptions DEFAULTS = MapperOptions.defaults("");

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

    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of sampled latents (default: ${DEFAULT-VALUE}).")
    double truncation = DEFAULTS.latentsTruncation();

    @Option(names = "--levels", split = ",", paramLabel = "L", description = "Sub-mappers to train: coarse, medium, fine (default: all three).")
    List<String> levels;

    @Option(names = "--optimizer", paramLabel = "ranger|adam", description = "Optimizer (default: ${DEFAULT-VALUE}, as the reference). Ranger's RAdam "
            + "rectification scales its early steps down (by 0.05 at step 10, 0.34 at step 250, 0.83 at step 2000; beta2 0.999) "
            + "and Lookahead halves them, so a run of a few hundred steps barely moves the mapper; short runs learn with adam "
            + "(e.g. --lr 1).")
    String optimizer = DEFAULTS.optimizer().optName();

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default: ${DEFAULT-VALUE}).")
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
        TrainState state = resume != null ? TrainState.read(resume) : null;
        MapperOptions opts = state != null ? resumedOptions(state) : newOptions();
        var out = spec.commandLine().getOut();
        DecoderWeights decoderWeights = opts.styleganWeights() != null
                ? DecoderWeights.fromGeneratorFile(Path.of(opts.styleganWeights()))
                : MapperCheckpoint.read(Path.of(opts.checkpointPath())).decoder();
        try (Generator g = decoderWeights.generator();
             ClipModel clipModel = ClipModel.load(Path.of(opts.clipWeights()));
             LevelsMapper mapper = initialMapper(opts, g);
             TrainingLatents train = trainLatents(opts, g);
             TrainingLatents test = testLatents(opts, g);
             IdLoss id = opts.idLambda() > 0 ? IdLoss.load(Path.of(opts.irSe50Weights())) : null) {
            if (opts.styleganSize() != g.config().size()) opts = opts.with("stylegan_size", g.config().size());
            MapperTrainer.Models models = new MapperTrainer.Models(mapper, g, decoderWeights,
                    ClipLoss.forModel(clipModel, g.config().size()), id == null ? null : id::loss);
            try (MapperTrainer trainer = new MapperTrainer(opts, models, train, test,
                    BatchOrder.shuffled(train.size(), opts.batchSize(), opts.seed()))) {
                if (state != null) trainer.restore(state);
                out.printf("mapper train: \"%s\", %d training latents, %s, lr %s, steps %d-%d of %d%n", opts.description(),
                        train.size(), opts.optimizer().optName(), opts.learningRate(), trainer.nextStep(), opts.maxSteps() - 1, opts.maxSteps());
                out.flush();
                TrainProgress progress = new TrainProgress(spec.commandLine().getErr(), out, Path.of(opts.expDir()), opts.boardInterval());
                MapperTrainer.Outcome outcome = trainer.run(progress);
                Path statePath = Path.of(opts.expDir()).resolve("checkpoints").resolve(MapperTrainer.STATE_FILE);
                if (outcome == MapperTrainer.Outcome.STOPPED) {
                    out.println("stopped before step " + trainer.nextStep() + "; continue with: styleclip mapper train --resume " + statePath);
                } else {
                    out.println("finished " + opts.maxSteps() + " steps; checkpoints in " + Path.of(opts.expDir()).resolve("checkpoints"));
                }
                out.flush();
            }
        }
        return 0;
    }

    private MapperOptions newOptions() {
        if (description == null) throw usage("--description is required (or --resume)");
        if (clip == null) throw usage("--clip is required (or --resume)");
        if (expDir == null) throw usage("--exp-dir is required (or --resume)");
        if (generator == null && checkpoint == null) throw usage("give --generator (the StyleGAN2 decoder) or --checkpoint (a mapper checkpoint with its decoder)");
        if (idLambda > 0 && irSe50 == null) {
            throw usage("--id-lambda " + idLambda + " needs --ir-se50 (ArcFace IR-SE50 weights, model_ir_se50.pth); --id-lambda 0 trains without the identity loss");
        }
        Set<MapperLevel> active = levels == null ? MapperLevel.all() : MapperCommand.levels(spec.commandLine(), levels);
        OptimizerName opt;
        try {
            opt = OptimizerName.parse(optimizer);
        } catch (IllegalArgumentException e) {
            throw usage("--optimizer: " + e.getMessage());
        }
        if (testDatasetSize < 0 || trainDatasetSize < 1) throw usage("dataset sizes must be >= 1 (test: >= 0)");
        if (truncation <= 0 || truncation > 1) throw usage("--truncation must be in (0, 1]");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("exp_dir", abs(expDir));
        o.put("latents_train_path", abs(latentsTrain));
        o.put("latents_test_path", abs(latentsTest));
        o.put("train_dataset_size", trainDatasetSize);
        o.put("test_dataset_size", testDatasetSize);
        o.put("batch_size", batchSize);
        o.put("test_batch_size", testBatchSize);
        o.put("learning_rate", lr);
        o.put("optim_name", opt.optName());
        o.put("id_lambda", idLambda);
        o.put("clip_lambda", clipLambda);
        o.put("latent_l2_lambda", latentL2Lambda);
        o.put("stylegan_weights", abs(generator));
        o.put("ir_se50_weights", irSe50 == null ? DEFAULTS.irSe50Weights() : abs(irSe50));  // the reference's default when unused
        o.put("checkpoint_path", abs(checkpoint));
        o.put("max_steps", maxSteps);
        o.put("image_interval", imageInterval);
        o.put("board_interval", boardInterval);
        o.put("val_interval", valInterval);
        o.put("save_interval", saveInterval);
        o.put("description", description);
        o.put("clip_weights", abs(clip));
        o.put("seed", seed);
        o.put("latents_truncation", truncation);
        try {
            return MapperOptions.defaults(description).withLevels(active).with(o);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private MapperOptions resumedOptions(TrainState state) {
        Set<String> allowed = Set.of("--resume", "--max-steps", "--exp-dir", "--verbose");
        for (var matched : spec.commandLine().getParseResult().matchedOptions()) {
            if (!allowed.contains(matched.longestName())) {
                throw usage(matched.longestName() + " cannot be combined with --resume: the run's options come from the saved state"
                        + " (only --max-steps and --exp-dir may change)");
            }
        }
        MapperOptions o = state.options();
        if (spec.commandLine().getParseResult().hasMatchedOption("--max-steps")) o = o.with("max_steps", maxSteps);
        if (expDir != null) o = o.with("exp_dir", abs(expDir));
        return o;
    }

    /** Paths are saved absolute (the reference keeps what was typed), so that --resume works from any folder. */
    private static String abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize().toString();
    }

    /** The mapper to start from: the checkpoint's, or a new one as wide as the generator's style_dim (512 for FFHQ). */
    private static LevelsMapper initialMapper(MapperOptions opts, Generator g) throws java.io.IOException {
        if (opts.checkpointPath() == null) return LevelsMapper.initialize(opts.levels(), opts.seed(), g.config().styleDim());
        LevelsMapper m = MapperCheckpoint.read(Path.of(opts.checkpointPath())).mapper(opts.levels());
        try {
            m.requireStyleDim(g.config().styleDim(), opts.styleganWeights() != null ? opts.styleganWeights() : opts.checkpointPath());
        } catch (IllegalArgumentException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private static TrainingLatents trainLatents(MapperOptions opts, Generator g) throws java.io.IOException {
        if (opts.latentsTrainPath() != null) return TrainingLatents.fromFile(Path.of(opts.latentsTrainPath()), g);
        return TrainingLatents.sample(g, opts.trainDatasetSize(), opts.latentsTruncation(), opts.seed());
    }

    private static TrainingLatents testLatents(MapperOptions opts, Generator g) throws java.io.IOException {
        if (opts.latentsTestPath() != null) return TrainingLatents.fromFile(Path.of(opts.latentsTestPath()), g);
        if (opts.testDatasetSize() == 0) return null;
        return TrainingLatents.sample(g, opts.testDatasetSize(), opts.latentsTruncation(), opts.seed() + 1);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
