package dev.styleclip.train.classifier;

import dev.styleclip.optim.Adam;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains an {@link AttributeClassifier}: per update, the sum over categories of the mean cross-entropy of that
 * category's head over the images labelled for it (label {@link #IGNORE} = -1 is skipped, as
 * {@code F.cross_entropy(ignore_index=-1)}; a category with no labelled image in the batch adds nothing), then Adam
 * (torch semantics) at a fixed learning rate. Deterministic given the seed and the data.
 */
public final class ClassifierTrainer {
    /** The label of a category that does not apply to an image. */
    public static final int IGNORE = -1;

    /**
     * @param seed      initialisation seed
     * @param steps     number of updates
     * @param batchSize images per update
     * @param lr        Adam learning rate
     */
    public record Options(long seed, long steps, int batchSize, double lr) {
        public Options {
            if (steps < 1 || batchSize < 1 || lr <= 0) throw new IllegalArgumentException("need steps, batch size and lr > 0");
        }

        public static Options defaults(long steps) {
            return new Options(0, steps, 64, 1e-3);
        }
    }

    /** Progress of {@link #train}. */
    @FunctionalInterface
    public interface Listener {
        void onStep(long step, long totalSteps, double loss);
    }

    private final AttributeClassifier model;
    private final Adam adam;
    private long nextStep;

    /** Trains {@code model} in place (borrowed: the caller closes it). */
    public ClassifierTrainer(AttributeClassifier model, double lr) {
        this.model = model;
        this.adam = new Adam(new ArrayList<>(model.parameters().values()), lr);
    }

    public long nextStep() {
        return nextStep;
    }

    /** The loss of a batch (differentiable in the weights), or a zero tensor if no label applies. */
    public Tensor loss(LabeledImageBatches.Batch batch) {
        return labelLoss(model.categories(), model.forward(batch.images()), batch.labels());
    }

    /**
     * The sum over categories of the mean cross-entropy of head {@code h}'s logits ([N, classes]) over the images
     * labelled for it ({@link #IGNORE} skipped; a category with no labelled image adds nothing), or a zero tensor.
     *
     * @param labels [N][categories] class indices or {@link #IGNORE}; checked against the category table
     */
    public static Tensor labelLoss(List<AttributeClassifier.Category> cats, List<Tensor> logits, int[][] labels) {
        int n = labels.length;
        Tensor total = torch.zeros(new long[] {});
        for (int h = 0; h < cats.size(); h++) {
            long[] col = new long[n];
            int labelled = 0;
            for (int i = 0; i < n; i++) {
                int[] row = labels[i];
                if (row.length != cats.size()) {
                    throw new IllegalArgumentException("label row " + i + " has " + row.length + " entries, expected " + cats.size());
                }
                int y = row[h];
                if (y != IGNORE && (y < 0 || y >= cats.get(h).classes())) {
                    throw new IllegalArgumentException("label " + y + " of category " + cats.get(h).name() + " outside [0, "
                            + cats.get(h).classes() + ") and not " + IGNORE);
                }
                if (y != IGNORE) labelled++;
                col[i] = y;
            }
            if (labelled == 0) continue;
            Tensor ce = torch.nll_loss(torch.log_softmax(logits.get(h), 1), Tensors.longs(col), new TensorOptional(), 1, IGNORE);
            total = total.add(ce);
        }
        return total;
    }

    /** One Adam update; returns the loss before it. */
    public double step(LabeledImageBatches.Batch batch) {
        try (PointerScope scope = new PointerScope()) {
            adam.zeroGrad();
            Tensor l = loss(batch);
            double v = l.item_double();
            if (l.requires_grad()) {
                l.backward();
                adam.step();
            }
            nextStep++;
            return v;
        }
    }

    /**
     * The command-line entry point: a new classifier of {@code categories}, trained for {@code opts.steps()} updates
     * on {@code data}, written to {@code out} (atomically) and returned (the caller closes it).
     */
    public static AttributeClassifier train(List<AttributeClassifier.Category> categories, Options opts, LabeledImageBatches data,
                                            Path out, Listener listener) throws IOException {
        AttributeClassifier model = AttributeClassifier.create(categories, opts.seed());
        try {
            ClassifierTrainer t = new ClassifierTrainer(model, opts.lr());
            while (t.nextStep < opts.steps()) {
                dev.styleclip.stop.Stop.check(); // between steps: a stopped run writes no half-trained classifier
                double loss;
                try (PointerScope scope = new PointerScope()) {
                    loss = t.step(data.batch(t.nextStep, opts.batchSize()));
                }
                listener.onStep(t.nextStep - 1, opts.steps(), loss);
            }
            if (out != null) model.save(out);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

}
