package dev.styleclip.edit.mapper;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.optim.OptimizerName;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Options of a mapper training run, named and defaulted as StyleCLIP's mapper/options/train_options.py
 * ({@code TrainOptions}) names and defaults them; {@link #toOpts()} is the {@code vars(opts)} dict that coach.py
 * saves in every checkpoint. The last three components are this port's additions (the reference hard-codes the
 * CLIP model and draws from the unseeded global RNG).
 *
 * <p>A new run's options come from a {@link #builder()}, which checks every value before anything is loaded and names a
 * bad one as the command line does ({@code lr}, {@code batch-size}); a run continued from its {@link TrainState} keeps
 * the saved options but may take {@link #withMaxSteps} and {@link #withExpDir}.
 *
 * @param expDir             exp_dir: output folder (logs/, checkpoints/)
 * @param levels             active LevelsMapper levels (the reference's no_coarse_mapper / no_medium_mapper /
 *                           no_fine_mapper, inverted)
 * @param latentsTrainPath   latents_train_path: W+ latents to train on (.pt / .npy); null samples them
 * @param latentsTestPath    latents_test_path: W+ latents for validation; null samples them
 * @param trainDatasetSize   train_dataset_size: latents to sample when there is no training file (5000)
 * @param testDatasetSize    test_dataset_size: latents to sample when there is no test file (1000)
 * @param batchSize          batch_size (2)
 * @param testBatchSize      test_batch_size (1)
 * @param learningRate       learning_rate (0.5)
 * @param optimizer          optim_name: ranger (default) or adam
 * @param idLambda           id_lambda: weight of the ArcFace identity loss (0.1; 0 disables it)
 * @param clipLambda         clip_lambda: weight of the CLIP loss (1.0)
 * @param latentL2Lambda     latent_l2_lambda: weight of MSE(w_hat, w) (0.8)
 * @param styleganWeights    stylegan_weights: generator checkpoint the decoder came from
 * @param styleganSize       stylegan_size: decoder resolution (1024)
 * @param irSe50Weights      ir_se50_weights: ArcFace IR-SE50 weights for the identity loss
 * @param checkpointPath     checkpoint_path: mapper checkpoint the run started from, or null
 * @param maxSteps           max_steps: number of updates (50000; see {@link MapperTrainer} for the reference's +1)
 * @param imageInterval      image_interval: write training images every N steps (100)
 * @param boardInterval      board_interval: report losses every N steps (50)
 * @param valInterval        val_interval: validate (and write validation images) every N steps (2000)
 * @param saveInterval       save_interval: write a checkpoint and the resumable state every N steps (2000)
 * @param description        description: the driving text prompt (required)
 * @param clipWeights        clip_weights (ours): the CLIP checkpoint; the reference always loads ViT-B/32
 * @param seed               seed (ours): mapper initialisation, sampled latents and data order
 * @param latentsTruncation  latents_truncation (ours): truncation of sampled latents (0.7, the reference's)
 */
public record MapperOptions(
        String expDir,
        Set<MapperLevel> levels,
        String latentsTrainPath,
        String latentsTestPath,
        int trainDatasetSize,
        int testDatasetSize,
        int batchSize,
        int testBatchSize,
        double learningRate,
        OptimizerName optimizer,
        double idLambda,
        double clipLambda,
        double latentL2Lambda,
        String styleganWeights,
        int styleganSize,
        String irSe50Weights,
        String checkpointPath,
        int maxSteps,
        int imageInterval,
        int boardInterval,
        int valInterval,
        int saveInterval,
        String description,
        String clipWeights,
        long seed,
        double latentsTruncation) {

    public MapperOptions {
        if (levels.isEmpty()) throw new IllegalArgumentException("at least one mapper level must be active");
        if (batchSize < 1 || testBatchSize < 1) throw new IllegalArgumentException("batch sizes must be >= 1");
        if (maxSteps < 0) throw new IllegalArgumentException("max_steps must be >= 0");
        if (imageInterval < 1 || boardInterval < 1 || valInterval < 1 || saveInterval < 1) {
            throw new IllegalArgumentException("intervals must be >= 1");
        }
        if (learningRate <= 0) throw new IllegalArgumentException("learning_rate must be > 0");
        levels = java.util.Collections.unmodifiableSet(EnumSet.copyOf(levels));
    }

    /** TrainOptions' defaults with the given prompt (the reference requires --description). */
    public static MapperOptions defaults(String description) {
        return new MapperOptions(null, MapperLevel.all(), "train_faces.pt", "test_faces.pt", 5000, 1000, 2, 1, 0.5,
                OptimizerName.RANGER, 0.1, 1.0, 0.8, "../pretrained_models/stylegan2-ffhq-config-f.pt", 1024,
                "../pretrained_models/model_ir_se50.pth", null, 50000, 100, 50, 2000, 2000, description, null, 0, 0.7);
    }

    /**
     * {@code vars(opts)} as coach.py saves it: the reference's keys in TrainOptions' order (including those this
     * port does not use: mapper_type, workers, work_in_stylespace), 'device' as Coach adds it, then ours.
     */
    public Map<String, Object> toOpts() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("exp_dir", expDir);
        o.put("mapper_type", "LevelsMapper");
        o.put("no_coarse_mapper", !levels.contains(MapperLevel.COARSE));
        o.put("no_medium_mapper", !levels.contains(MapperLevel.MEDIUM));
        o.put("no_fine_mapper", !levels.contains(MapperLevel.FINE));
        o.put("latents_train_path", latentsTrainPath);
        o.put("latents_test_path", latentsTestPath);
        o.put("train_dataset_size", trainDatasetSize);
        o.put("test_dataset_size", testDatasetSize);
        o.put("work_in_stylespace", false);
        o.put("batch_size", batchSize);
        o.put("test_batch_size", testBatchSize);
        o.put("workers", 4);
        o.put("test_workers", 2);
        o.put("learning_rate", learningRate);
        o.put("optim_name", optimizer.optName());
        o.put("id_lambda", idLambda);
        o.put("clip_lambda", clipLambda);
        o.put("latent_l2_lambda", latentL2Lambda);
        o.put("stylegan_weights", styleganWeights);
        o.put("stylegan_size", styleganSize);
        o.put("ir_se50_weights", irSe50Weights);
        o.put("checkpoint_path", checkpointPath);
        o.put("max_steps", maxSteps);
        o.put("image_interval", imageInterval);
        o.put("board_interval", boardInterval);
        o.put("val_interval", valInterval);
        o.put("save_interval", saveInterval);
        o.put("description", description);
        o.put("device", "cpu");
        o.put("clip_weights", clipWeights);
        o.put("seed", seed);
        o.put("latents_truncation", latentsTruncation);
        return o;
    }

    /**
     * Options from a saved {@code opts} dict; keys it lacks (an older reference, or a checkpoint not written here)
     * take TrainOptions' defaults.
     */
    public static MapperOptions fromOpts(Map<?, ?> opts) {
        Map<String, Object> o = defaults("").toOpts();
        opts.forEach((k, v) -> o.put(String.valueOf(k), v));
        Set<MapperLevel> levels = EnumSet.noneOf(MapperLevel.class);
        if (!bool(o, "no_coarse_mapper")) levels.add(MapperLevel.COARSE);
        if (!bool(o, "no_medium_mapper")) levels.add(MapperLevel.MEDIUM);
        if (!bool(o, "no_fine_mapper")) levels.add(MapperLevel.FINE);
        return new MapperOptions(str(o, "exp_dir"), levels, str(o, "latents_train_path"), str(o, "latents_test_path"),
                integer(o, "train_dataset_size"), integer(o, "test_dataset_size"), integer(o, "batch_size"),
                integer(o, "test_batch_size"), real(o, "learning_rate"), OptimizerName.fromOptName(str(o, "optim_name")),
                real(o, "id_lambda"), real(o, "clip_lambda"), real(o, "latent_l2_lambda"), str(o, "stylegan_weights"),
                integer(o, "stylegan_size"), str(o, "ir_se50_weights"), str(o, "checkpoint_path"), integer(o, "max_steps"),
                integer(o, "image_interval"), integer(o, "board_interval"), integer(o, "val_interval"),
                integer(o, "save_interval"), str(o, "description"), str(o, "clip_weights"),
                ((Number) o.get("seed")).longValue(), real(o, "latents_truncation"));
    }

    /** A copy with one opts key changed, e.g. {@code with("learning_rate", 500.0)}. */
    public MapperOptions with(String key, Object value) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put(key, value); // may be null (None)
        return with(change);
    }

    /** A copy with several opts keys changed at once. */
    public MapperOptions with(Map<String, ?> changes) {
        Map<String, Object> o = toOpts();
        for (Map.Entry<String, ?> e : changes.entrySet()) {
            if (!o.containsKey(e.getKey())) throw new IllegalArgumentException("no option '" + e.getKey() + "'");
            o.put(e.getKey(), e.getValue());
        }
        return fromOpts(o);
    }

    /**
     * A copy for continuing the run with another number of updates.
     *
     * @throws SettingException naming {@code max-steps} unless {@code maxSteps >= 1}
     */
    public MapperOptions withMaxSteps(int maxSteps) {
        return with("max_steps", Checks.atLeast("max-steps", maxSteps, 1));
    }

    /** A copy for continuing the run into another folder (saved absolute, as the builder saves it). */
    public MapperOptions withExpDir(Path dir) {
        return with("exp_dir", Builder.absolute(Checks.given("exp-dir", dir)));
    }

    /** A builder of a new run's options, starting from TrainOptions' defaults (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A copy with other active levels. */
    public MapperOptions withLevels(Set<MapperLevel> newLevels) {
        return with(Map.of("no_coarse_mapper", !newLevels.contains(MapperLevel.COARSE),
                "no_medium_mapper", !newLevels.contains(MapperLevel.MEDIUM),
                "no_fine_mapper", !newLevels.contains(MapperLevel.FINE)));
    }

    /**
     * The options of a new run, set one by one and checked together by {@link #build()}. Unset values are
     * TrainOptions' defaults, except that the latents are sampled (no latents_train_path / latents_test_path) and
     * the decoder comes from the start checkpoint unless stylegan_weights is set. Paths are saved absolute (the
     * reference keeps what was typed), so that a run continues from any folder. Each setter's name is the
     * command-line option's, and {@link #build()} names a bad value by it.
     */
    public static final class Builder {
        private static final MapperOptions DEFAULTS = defaults("");
        private String description;
        private Path clipWeights;
        private Path styleganWeights;
        private Path checkpoint;
        private Path expDir;
        private Path latentsTrain;
        private Path latentsTest;
        private int trainDatasetSize = DEFAULTS.trainDatasetSize;
        private int testDatasetSize = DEFAULTS.testDatasetSize;
        private double truncation = DEFAULTS.latentsTruncation;
        private Set<MapperLevel> levels = MapperLevel.all();
        private OptimizerName optimizer = DEFAULTS.optimizer;
        private double learningRate = DEFAULTS.learningRate;
        private int batchSize = DEFAULTS.batchSize;
        private int testBatchSize = DEFAULTS.testBatchSize;
        private double clipLambda = DEFAULTS.clipLambda;
        private double latentL2Lambda = DEFAULTS.latentL2Lambda;
        private double idLambda = DEFAULTS.idLambda;
        private Path irSe50;
        private int maxSteps = DEFAULTS.maxSteps;
        private int imageInterval = DEFAULTS.imageInterval;
        private int boardInterval = DEFAULTS.boardInterval;
        private int valInterval = DEFAULTS.valInterval;
        private int saveInterval = DEFAULTS.saveInterval;
        private long seed = DEFAULTS.seed;

        private Builder() {
        }

        /** description: the driving text prompt (required). */
        public Builder description(String text) {
            this.description = text;
            return this;
        }

        /** clip_weights: the CLIP checkpoint (required). */
        public Builder clip(Path file) {
            this.clipWeights = file;
            return this;
        }

        /** stylegan_weights: the generator checkpoint of the decoder; required unless {@link #checkpoint} is set. */
        public Builder generator(Path file) {
            this.styleganWeights = file;
            return this;
        }

        /** checkpoint_path: a mapper checkpoint to start from, whose decoder is used unless {@link #generator} is set. */
        public Builder checkpoint(Path file) {
            this.checkpoint = file;
            return this;
        }

        /** exp_dir: the output folder (required). */
        public Builder expDir(Path dir) {
            this.expDir = dir;
            return this;
        }

        /** latents_train_path: W+ latents to train on; null (the default) samples train-dataset-size of them. */
        public Builder latentsTrain(Path file) {
            this.latentsTrain = file;
            return this;
        }

        /** latents_test_path: W+ latents to validate on; null (the default) samples test-dataset-size of them. */
        public Builder latentsTest(Path file) {
            this.latentsTest = file;
            return this;
        }

        /** train_dataset_size: latents to sample without a training file, at least 1. */
        public Builder trainDatasetSize(int n) {
            this.trainDatasetSize = n;
            return this;
        }

        /** test_dataset_size: latents to sample without a test file; 0 means no validation. */
        public Builder testDatasetSize(int n) {
            this.testDatasetSize = n;
            return this;
        }

        /** latents_truncation: truncation of sampled latents, in (0, 1]. */
        public Builder truncation(double psi) {
            this.truncation = psi;
            return this;
        }

        /** The sub-mappers to train (at least one). */
        public Builder levels(Set<MapperLevel> active) {
            this.levels = active;
            return this;
        }

        /** optim_name: Ranger or Adam. */
        public Builder optimizer(OptimizerName name) {
            this.optimizer = name;
            return this;
        }

        /**
         * optim_name by name, "ranger" or "adam" (strictly, unlike coach.py, which takes every other name for Ranger).
         *
         * @throws SettingException naming {@code optimizer} for another name
         */
        public Builder optimizer(String name) {
            try {
                return optimizer(OptimizerName.parse(name));
            } catch (IllegalArgumentException e) {
                throw new SettingException("optimizer", "must be ranger or adam, not '" + name + "'");
            }
        }

        /** learning_rate, a finite number above 0. */
        public Builder lr(double rate) {
            this.learningRate = rate;
            return this;
        }

        /** batch_size, at least 1. */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** test_batch_size, at least 1. */
        public Builder testBatchSize(int n) {
            this.testBatchSize = n;
            return this;
        }

        /** clip_lambda, finite and 0 or more. */
        public Builder clipLambda(double weight) {
            this.clipLambda = weight;
            return this;
        }

        /** latent_l2_lambda, finite and 0 or more. */
        public Builder latentL2Lambda(double weight) {
            this.latentL2Lambda = weight;
            return this;
        }

        /** id_lambda, finite and 0 or more; above 0 it needs {@link #irSe50}. */
        public Builder idLambda(double weight) {
            this.idLambda = weight;
            return this;
        }

        /** ir_se50_weights: the ArcFace IR-SE50 weights of the identity loss; unset, the reference's default path is saved. */
        public Builder irSe50(Path file) {
            this.irSe50 = file;
            return this;
        }

        /** max_steps: number of updates, at least 1. */
        public Builder maxSteps(int n) {
            this.maxSteps = n;
            return this;
        }

        /** image_interval, at least 1. */
        public Builder imageInterval(int n) {
            this.imageInterval = n;
            return this;
        }

        /** board_interval, at least 1. */
        public Builder boardInterval(int n) {
            this.boardInterval = n;
            return this;
        }

        /** val_interval, at least 1. */
        public Builder valInterval(int n) {
            this.valInterval = n;
            return this;
        }

        /** save_interval, at least 1. */
        public Builder saveInterval(int n) {
            this.saveInterval = n;
            return this;
        }

        /** seed of the mapper's initialisation, the sampled latents and the data order. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * The options, stylegan_size left at its default (the run sets it from the decoder).
         *
         * @throws SettingException naming the first setting that is missing or out of range
         */
        public MapperOptions build() {
            if (description == null) throw new SettingException("description", "is required for a new run");
            if (clipWeights == null) throw new SettingException("clip", "is required for a new run");
            if (expDir == null) throw new SettingException("exp-dir", "is required for a new run");
            if (styleganWeights == null && checkpoint == null) {
                throw new SettingException("generator", "is required for a new run that does not start from a mapper checkpoint"
                        + " with its decoder (checkpoint)");
            }
            Checks.atLeast("train-dataset-size", trainDatasetSize, 1);
            Checks.atLeast("test-dataset-size", testDatasetSize, 0);
            Checks.openClosed("truncation", truncation, 0, 1);
            if (Checks.given("levels", levels).isEmpty()) throw new SettingException("levels", "needs at least one of coarse, medium, fine");
            Checks.given("optimizer", optimizer);
            Checks.positive("lr", learningRate);
            Checks.atLeast("batch-size", batchSize, 1);
            Checks.atLeast("test-batch-size", testBatchSize, 1);
            Checks.nonNegative("clip-lambda", clipLambda);
            Checks.nonNegative("latent-l2-lambda", latentL2Lambda);
            Checks.nonNegative("id-lambda", idLambda);
            if (clipLambda == 0 && latentL2Lambda == 0 && idLambda == 0) {
                throw new SettingException("clip-lambda", "is 0, as are latent-l2-lambda and id-lambda: nothing to train");
            }
            if (idLambda > 0 && irSe50 == null) {
                throw new SettingException("ir-se50", "is required while id-lambda is above 0 (ArcFace IR-SE50 weights,"
                        + " model_ir_se50.pth); id-lambda 0 trains without the identity loss");
            }
            Checks.atLeast("max-steps", maxSteps, 1);
            Checks.atLeast("image-interval", imageInterval, 1);
            Checks.atLeast("board-interval", boardInterval, 1);
            Checks.atLeast("val-interval", valInterval, 1);
            Checks.atLeast("save-interval", saveInterval, 1);
            return new MapperOptions(absolute(expDir), levels, absolute(latentsTrain), absolute(latentsTest), trainDatasetSize,
                    testDatasetSize, batchSize, testBatchSize, learningRate, optimizer, idLambda, clipLambda, latentL2Lambda,
                    absolute(styleganWeights), DEFAULTS.styleganSize, irSe50 == null ? DEFAULTS.irSe50Weights : absolute(irSe50),
                    absolute(checkpoint), maxSteps, imageInterval, boardInterval, valInterval, saveInterval, description,
                    absolute(clipWeights), seed, truncation);
        }

        static String absolute(Path p) {
            return p == null ? null : p.toAbsolutePath().normalize().toString();
        }
    }

    private static String str(Map<String, Object> o, String k) {
        Object v = o.get(k);
        return v == null ? null : v.toString();
    }

    private static boolean bool(Map<String, Object> o, String k) {
        Object v = o.get(k);
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("opts['" + k + "'] is not a bool: " + v);
    }

    private static int integer(Map<String, Object> o, String k) {
        Object v = o.get(k);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return Math.toIntExact(n.longValue());
        throw new IllegalArgumentException("opts['" + k + "'] is not an int: " + v);
    }

    private static double real(Map<String, Object> o, String k) {
        Object v = o.get(k);
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("opts['" + k + "'] is not a number: " + v);
    }
}
