package dev.styleclip.train.clip;

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
     * @param images   [N, 3, S, S] float32 in [-1, 1] (generator range); the trainer maps them to the CLIP's input
     *                 with {@link GeneratorToClip}
     * @param captions N captions, one per image; identical captions in a batch count as matching each other's images
     */
    record Batch(Tensor images, List<String> captions) {
        public Batch {
            captions = List.copyOf(captions);
            if (images.size(0) != captions.size()) {
                throw new IllegalArgumentException(images.size(0) + " images but " + captions.size() + " captions");
            }
        }
    }

    /** The batch of global step {@code step} (0-based), of {@code size} pairs. */
    Batch batch(long step, int size);
}
