package dev.styleclip.invert.encoder;

import org.bytedeco.pytorch.Tensor;

/**
 * A second source of training images for the encoder, images without a known latent (renders of the procedural world,
 * photos), which train it by the image loss alone. Like the GAN trainer's {@code ImageBatches}, {@link #batch} must be
 * a function of {@code step} (and the source's own seed), not of how many batches were asked for before: a resumed run
 * then sees the same images as an uninterrupted one.
 */
@FunctionalInterface
public interface RealImages {
    /** Images for training step {@code step}: float32 [size, 3, S, S] in [-1, 1], S the generator's resolution. */
    Tensor batch(long step, int size);
}
