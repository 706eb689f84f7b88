package dev.styleclip.train;

import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.Captions;
import dev.styleclip.world.WorldAttributes;
import dev.styleclip.world.WorldDataset;
import dev.styleclip.world.WorldSample;

import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.train.classifier.LabeledImageBatches;
import dev.styleclip.train.clip.ImageTextBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The world as training data: the batch of step t holds the portraits of seeds {@code base + t * n ... + n - 1},
 * so a batch is a function of (step, size) alone and a resumed run sees what an uninterrupted one would. Training
 * seeds start at {@link #TRAINING_SEEDS} so that they never meet the small seeds used to look at and evaluate
 * models.
 */
public final class WorldData {
    /** First seed of the training portraits. */
    public static final long TRAINING_SEEDS = 1_000_000L;

    private WorldData() {
    }

    /** Image-caption pairs for CLIP: one caption per portrait, drawn with a seed of its own. */
    public static ImageTextBatches captioned(int imageSize, long seedOffset) {
        return (step, n) -> {
            List<WorldSample> samples = WorldDataset.samples(TRAINING_SEEDS + seedOffset + step * n, n);
            WorldDataset.Batch b = WorldDataset.batch(samples, imageSize);
            List<String> captions = new ArrayList<>(n);
            for (WorldSample s : samples) captions.add(Captions.sample(s.attributes(), new SplittableRandom(s.seed() * 31 + 7)));
            return new ImageTextBatches.Batch(b.images(), captions);
        };
    }

    /** Portraits labelled with the class of every {@link AttributeCategory} (-1 where it does not apply). */
    public static LabeledImageBatches labeled(int imageSize, long seedOffset) {
        return (step, n) -> {
            List<WorldSample> samples = WorldDataset.samples(TRAINING_SEEDS + seedOffset + step * n, n);
            WorldDataset.Batch b = WorldDataset.batch(samples, imageSize);
            int[][] labels = new int[n][];
            for (int i = 0; i < n; i++) labels[i] = labels(samples.get(i).attributes());
            return new LabeledImageBatches.Batch(b.images(), labels);
        };
    }

    /** The class index of each category, in {@link AttributeCategory#ALL} order. */
    public static int[] labels(WorldAttributes a) {
        int[] l = new int[AttributeCategory.ALL.size()];
        for (int c = 0; c < l.length; c++) l[c] = AttributeCategory.ALL.get(c).index(a);
        return l;
    }

    /** The classifier's head table for the world: one head per {@link AttributeCategory}. */
    public static List<AttributeClassifier.Category> categories() {
        List<AttributeClassifier.Category> out = new ArrayList<>();
        for (AttributeCategory c : AttributeCategory.ALL) out.add(new AttributeClassifier.Category(c.name(), c.numClasses()));
        return out;
    }

    /** What each generator latent stands for ({@link dev.styleclip.world.WorldPrior}), rendered at {@code imageSize}. */
    public static dev.styleclip.train.gan.RenderDistillation.Targets priorRenders(int imageSize) {
        return z -> {
            float[] all = dev.styleclip.tensor.Tensors.toFloatArray(z);
            int n = (int) z.size(0), d = (int) z.size(1);
            List<WorldSample> samples = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                samples.add(dev.styleclip.world.WorldPrior.sample(java.util.Arrays.copyOfRange(all, i * d, (i + 1) * d), i));
            }
            return WorldDataset.batch(samples, imageSize).images();
        };
    }
}
