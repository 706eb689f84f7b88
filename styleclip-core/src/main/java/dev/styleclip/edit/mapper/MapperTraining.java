package dev.styleclip.edit.mapper;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.stylegan2.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A training run set up from its options, as mapper/scripts/train.py sets up the coach: the decoder (stylegan_weights,
 * else the start checkpoint's), CLIP (clip_weights), the mapper (checkpoint_path's, else a new one seeded with seed and
 * as wide as the decoder's style_dim), the training and validation latents (from their files, else sampled from the
 * decoder with seed and seed + 1), the identity loss when id_lambda is above 0, and a {@link MapperTrainer} over them
 * with a shuffled batch order. It owns what it loads and closes it.
 *
 * <pre>
 *   try (MapperTraining run = MapperTraining.start(MapperOptions.builder().description("...")...build())) {
 *       run.run(listener);
 *   }
 * </pre>
 */
public final class MapperTraining implements AutoCloseable {
    private final MapperOptions opts;
    private final MapperTrainer trainer;
    private final int trainingLatents;
    private final Deque<AutoCloseable> owned;

    private MapperTraining(MapperOptions opts, MapperTrainer trainer, int trainingLatents, Deque<AutoCloseable> owned) {
        this.opts = opts;
        this.trainer = trainer;
        this.trainingLatents = trainingLatents;
        this.owned = owned;
    }

    /** A new run from step 0. */
    public static MapperTraining start(MapperOptions opts) throws IOException {
        return open(opts, null);
    }

    /**
     * A run continued from its saved state; {@code opts} are the state's options, with max_steps and exp_dir changed
     * if wished ({@link MapperOptions#withMaxSteps}, {@link MapperOptions#withExpDir}), see {@link MapperTrainer#restore}.
     */
    public static MapperTraining resume(TrainState state, MapperOptions opts) throws IOException {
        return open(opts, state);
    }

    private static MapperTraining open(MapperOptions opts, TrainState state) throws IOException {
        DecoderWeights decoderWeights = opts.styleganWeights() != null
                ? DecoderWeights.fromGeneratorFile(Path.of(opts.styleganWeights()))
                : MapperCheckpoint.read(Path.of(opts.checkpointPath())).decoder();
        Deque<AutoCloseable> owned = new ArrayDeque<>(); // closed first to last, i.e. in the reverse order of opening
        try {
            Generator g = own(owned, decoderWeights.generator());
            ClipModel clipModel = own(owned, ClipModel.load(Path.of(opts.clipWeights())));
            // the order matters: the new mapper and the sampled latents each seed torch's global generator
            LevelsMapper mapper = own(owned, initialMapper(opts, g));
            TrainingLatents train = own(owned, trainLatents(opts, g));
            TrainingLatents test = own(owned, testLatents(opts, g));
            IdLoss id = opts.idLambda() > 0 ? own(owned, IdLoss.load(Path.of(opts.irSe50Weights()))) : null;
            if (opts.styleganSize() != g.config().size()) opts = opts.with("stylegan_size", g.config().size());
            MapperTrainer.Models models = new MapperTrainer.Models(mapper, g, decoderWeights,
                    ClipLoss.forModel(clipModel, g.config().size()), id == null ? null : id::loss);
            MapperTrainer trainer = own(owned, new MapperTrainer(opts, models, train, test,
                    BatchOrder.shuffled(train.size(), opts.batchSize(), opts.seed())));
            if (state != null) trainer.restore(state);
            return new MapperTraining(opts, trainer, train.size(), owned);
        } catch (IOException | RuntimeException | Error e) {
            RuntimeException closing = closeAll(owned);
            if (closing != null) e.addSuppressed(closing);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T own(Deque<AutoCloseable> owned, T resource) {
        if (resource != null) owned.push(resource);
        return resource;
    }

    /** The mapper to start from: the checkpoint's, or a new one as wide as the generator's style_dim (512 for FFHQ). */
    private static LevelsMapper initialMapper(MapperOptions opts, Generator g) throws IOException {
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

    private static TrainingLatents trainLatents(MapperOptions opts, Generator g) throws IOException {
        if (opts.latentsTrainPath() != null) return TrainingLatents.fromFile(Path.of(opts.latentsTrainPath()), g);
        return TrainingLatents.sample(g, opts.trainDatasetSize(), opts.latentsTruncation(), opts.seed());
    }

    /** The validation latents, or null for none (no test file and test_dataset_size 0). */
    private static TrainingLatents testLatents(MapperOptions opts, Generator g) throws IOException {
        if (opts.latentsTestPath() != null) return TrainingLatents.fromFile(Path.of(opts.latentsTestPath()), g);
        if (opts.testDatasetSize() == 0) return null;
        return TrainingLatents.sample(g, opts.testDatasetSize(), opts.latentsTruncation(), opts.seed() + 1);
    }

    /** The run's options, stylegan_size being the decoder's resolution. */
    public MapperOptions options() {
        return opts;
    }

    /** The trainer (its next step, optimizer, state), for a caller that drives it itself. */
    public MapperTrainer trainer() {
        return trainer;
    }

    /** Number of training latents. */
    public int trainingLatents() {
        return trainingLatents;
    }

    /** exp_dir/checkpoints, where the checkpoints and the resumable state go (null when exp_dir is unset: no files). */
    public Path checkpoints() {
        return opts.expDir() == null ? null : Path.of(opts.expDir()).resolve("checkpoints");
    }

    /** The resumable state a stopped or finished run leaves: exp_dir/checkpoints/train_state.pt (null without exp_dir). */
    public Path stateFile() {
        return opts.expDir() == null ? null : checkpoints().resolve(MapperTrainer.STATE_FILE);
    }

    /**
     * Runs the updates from the next step to max_steps, or until {@code listener} asks to stop at a step boundary; a
     * stopped run has saved its state to {@link #stateFile()}.
     */
    public MapperTrainer.Outcome run(TrainListener listener) throws IOException {
        return trainer.run(listener);
    }

    @Override
    public void close() {
        RuntimeException e = closeAll(owned);
        if (e != null) throw e;
    }

    /** Closes everything owned, most recent first; returns the first failure (later ones suppressed in it), or null. */
    private static RuntimeException closeAll(Deque<AutoCloseable> owned) {
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (first == null) first = r;
                else first.addSuppressed(r);
            }
        }
        return first;
    }
}
