package dev.styleclip.train.clip;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters of {@link ClipTrainer}. The optimiser is AdamW (torch.optim.AdamW: decoupled decay
 * {@code p *= 1 - lr * wd} before the Adam update) with CLIP's betas and eps; decay applies to matrices only (not to
 * gains, biases, embeddings or logit_scale, as in the CLIP paper). The learning rate rises linearly over
 * {@code warmupSteps} and then follows a cosine to {@code minLrFraction * lr} at {@code steps}.
 *
 * @param seed          initialisation seed ({@code torch.manual_seed}); nothing else is random
 * @param steps         total number of updates of the run
 * @param batchSize     pairs per update
 * @param lr            peak learning rate
 * @param warmupSteps   linear warm-up length
 * @param minLrFraction floor of the cosine, as a fraction of lr
 * @param weightDecay   decoupled weight decay (AdamW)
 * @param beta1         Adam beta1
 * @param beta2         Adam beta2
 * @param eps           Adam eps
 * @param saveEvery     {@link ClipTrainer#train} writes the model and the train state every this many steps (and at the end)
 * @param labelWeight   weight of the auxiliary label loss (linear heads on the normalised image features predict each
 *                      labelled category; see {@link ClipTrainer}); 0, CLIP's purely contrastive training, by default
 * @param labelCategories the categories the label loss reads, by name, comma-separated; empty for all of them
 */
public record ClipTrainOptions(long seed, long steps, int batchSize, double lr, long warmupSteps, double minLrFraction,
                               double weightDecay, double beta1, double beta2, double eps, long saveEvery, double labelWeight,
                               String labelCategories) {

    public ClipTrainOptions {
        if (steps < 1 || batchSize < 2) throw new IllegalArgumentException("need steps >= 1 and batch size >= 2");
        if (lr <= 0 || warmupSteps < 0 || saveEvery < 1) throw new IllegalArgumentException("need lr > 0, warmup >= 0, saveEvery >= 1");
        if (!(labelWeight >= 0) || Double.isInfinite(labelWeight)) throw new IllegalArgumentException("need a finite label weight >= 0: " + labelWeight);
        labelCategories = labelCategories == null ? "" : labelCategories.strip();
    }

    /** Purely contrastive options (label weight 0). */
    public ClipTrainOptions(long seed, long steps, int batchSize, double lr, long warmupSteps, double minLrFraction,
                            double weightDecay, double beta1, double beta2, double eps, long saveEvery) {
        this(seed, steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, 0, "");
    }

    /** Defaults for the project's small CLIP: batch 64, lr 5e-4, 5% warm-up, wd 0.1, betas (0.9, 0.98), eps 1e-6. */
    public static ClipTrainOptions defaults(long steps) {
        return new ClipTrainOptions(0, steps, 64, 5e-4, Math.max(1, steps / 20), 0.0, 0.1, 0.9, 0.98, 1e-6, 500);
    }

    public ClipTrainOptions withSeed(long s) {
        return new ClipTrainOptions(s, steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, labelWeight, labelCategories);
    }

    public ClipTrainOptions withSteps(long n) {
        return new ClipTrainOptions(seed, n, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, labelWeight, labelCategories);
    }

    public ClipTrainOptions withBatchSize(int b) {
        return new ClipTrainOptions(seed, steps, b, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, labelWeight, labelCategories);
    }

    public ClipTrainOptions withLr(double v, long warmup) {
        return new ClipTrainOptions(seed, steps, batchSize, v, warmup, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, labelWeight, labelCategories);
    }

    public ClipTrainOptions withSaveEvery(long n) {
        return new ClipTrainOptions(seed, steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, n, labelWeight, labelCategories);
    }

    public ClipTrainOptions withLabelWeight(double w) {
        return new ClipTrainOptions(seed, steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, w, labelCategories);
    }

    public ClipTrainOptions withLabelCategories(String names) {
        return new ClipTrainOptions(seed, steps, batchSize, lr, warmupSteps, minLrFraction, weightDecay, beta1, beta2, eps, saveEvery, labelWeight, names);
    }

    /** The learning rate of update {@code step} (0-based). */
    public double lrAt(long step) {
        if (step < warmupSteps) return lr * (step + 1) / (warmupSteps + 1);
        long span = Math.max(1, steps - warmupSteps);
        double t = Math.min(1.0, (double) (step - warmupSteps) / span);
        double floor = lr * minLrFraction;
        return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    /** As a dict for the train-state file. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("steps", steps);
        m.put("batch_size", batchSize);
        m.put("lr", lr);
        m.put("warmup_steps", warmupSteps);
        m.put("min_lr_fraction", minLrFraction);
        m.put("weight_decay", weightDecay);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("save_every", saveEvery);
        if (labelWeight != 0) m.put("label_weight", labelWeight);
        if (!labelCategories.isEmpty()) m.put("label_categories", labelCategories);
        return m;
    }

    public static ClipTrainOptions fromMap(Map<?, ?> m) {
        return new ClipTrainOptions(l(m, "seed"), l(m, "steps"), (int) l(m, "batch_size"), d(m, "lr"), l(m, "warmup_steps"),
                d(m, "min_lr_fraction"), d(m, "weight_decay"), d(m, "beta1"), d(m, "beta2"), d(m, "eps"), l(m, "save_every"),
                m.containsKey("label_weight") ? d(m, "label_weight") : 0,
                m.containsKey("label_categories") ? (String) m.get("label_categories") : "");
    }

    private static long l(Map<?, ?> m, String k) {
        return ((Number) m.get(k)).longValue();
    }

    private static double d(Map<?, ?> m, String k) {
        return ((Number) m.get(k)).doubleValue();
    }
}
