package dev.styleclip.train.gan;

import org.bytedeco.pytorch.Tensor;

/**
 * Where a GAN run takes its real images from. {@link #batch} must be a function of {@code step} (and the source's
 * own seed), not of how many batches were asked for before: a resumed run then sees the same images as an
 * uninterrupted one.
 */
@FunctionalInterface
public interface ImageBatches {
    /** Real images for training step {@code step}: float32 [size, 3, H, W] in [-1, 1]. */
    Tensor batch(long step, int size);
}
