package dev.styleclip.train.clip;

import dev.styleclip.train.classifier.AttributeClassifier;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Where {@link ClipTrainer} takes its data from: image-caption pairs, one batch per training step.
 *
 * <p>For a resumed run to equal an uninterrupted one, {@link #batch} must be a function of its arguments only (a
 * seeded renderer keyed by step, say), not of how many batches were asked for before.
 */
@FunctionalInterface
public interface ImageTextBatches {
    /**
     * @param images     [N, 3, S, S] float32 in [-1, 1] (generator range); the trainer maps them to the CLIP's input
     *                   with {@link GeneratorToClip}
     * @param captions   N captions, one per image; identical captions in a batch count as matching each other's images
     * @param categories the label categories of {@code labels}, or null where the data has no labels
     * @param labels     [N][categories] class indices ({@link dev.styleclip.train.classifier.ClassifierTrainer#IGNORE}
     *                   where a category does not apply), or null; only a run with a label weight reads them
     */
    record Batch(Tensor images, List<String> captions, List<AttributeClassifier.Category> categories, int[][] labels) {
        public Batch {
            captions = List.copyOf(captions);
            if (images.size(0) != captions.size()) {
                throw new IllegalArgumentException(images.size(0) + " images but " + captions.size() + " captions");
            }
            if ((categories == null) != (labels == null)) throw new IllegalArgumentException("labels need their categories, and only they");
            if (labels != null && labels.length != captions.size()) {
                throw new IllegalArgumentException(captions.size() + " captions but " + labels.length + " label rows");
            }
            if (categories != null) categories = List.copyOf(categories);
        }

        /** A batch without labels. */
        public Batch(Tensor images, List<String> captions) {
            this(images, captions, null, null);
        }
    }

    /** The batch of global step {@code step} (0-based), of {@code size} pairs. */
    Batch batch(long step, int size);
}
