package dev.styleclip.train.gan;

import java.nio.file.Path;

/** What a GAN run reports as it goes; every method is optional. */
public interface GanListener {
    /** After step {@code step} (0-based) of a run that ends before {@code until}. */
    default void onStep(long step, long until, GanTrainer.StepLosses losses) {
    }

    /** After a checkpoint, training state or sample grid was written. */
    default void onFileWritten(long step, Path file) {
    }

    /** Polled after every step: true ends the run early, after saving the training state. */
    default boolean stopRequested() {
        return false;
    }
}
