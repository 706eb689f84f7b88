package dev.styleclip.edit.mapper;

import java.nio.file.Path;

/** What a training run reports as it goes (progress bars, logs, tests); every method is optional. */
public interface TrainListener {
    /** After the update of global step {@code step} (0-based) of {@code maxSteps}; {@code losses} are from before it. */
    default void onStep(long step, long maxSteps, LossDict losses) {
    }

    /** After a validation pass at {@code step}; {@code best} if it is the lowest validation loss so far. */
    default void onValidation(long step, LossDict losses, boolean best) {
    }

    /** After a file was written (checkpoint, resumable state, images). */
    default void onFileWritten(long step, Path file) {
    }

    /** Polled after every step: true ends the run early, after saving the resumable state. */
    default boolean stopRequested() {
        return false;
    }
}
