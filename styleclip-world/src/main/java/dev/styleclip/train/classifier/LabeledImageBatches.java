package dev.styleclip.train.classifier;

import org.bytedeco.pytorch.Tensor;

/** Where {@link ClassifierTrainer} takes its data from: labelled images, one batch per training step. */
@FunctionalInterface
public interface LabeledImageBatches {
    /**
     * @param images [N, 3, S, S] float32 in [-1, 1]
     * @param labels [N][categories]: the class of each category, or {@link ClassifierTrainer#IGNORE} (-1) where the
     *               category does not apply; such entries contribute nothing to the loss
     */
    record Batch(Tensor images, int[][] labels) {
        public Batch {
            if (images.size(0) != labels.length) throw new IllegalArgumentException(images.size(0) + " images but " + labels.length + " label rows");
        }
    }

    /** The batch of global step {@code step} (0-based), of {@code size} images. */
    Batch batch(long step, int size);
}
