package dev.styleclip.edit.mapper;

import dev.styleclip.optim.OptimizerName;
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

    /** A copy with other active levels. */
    public MapperOptions withLevels(Set<MapperLevel> newLevels) {
        return with(Map.of("no_coarse_mapper", !newLevels.contains(MapperLevel.COARSE),
                "no_medium_mapper", !newLevels.contains(MapperLevel.MEDIUM),
                "no_fine_mapper", !newLevels.contains(MapperLevel.FINE)));
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
