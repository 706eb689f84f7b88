package dev.styleclip.train.gan;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An adversarial training run into a folder, as {@code styleclip world train-gan} runs it: a new run from
 * {@link GanOptions}, or the run saved in {@code OUT/checkpoints/train_state.pt} continued exactly, stepped until a
 * number of steps are done. {@link GanTrainer#run} writes {@code OUT/samples/NNNNNN.png},
 * {@code OUT/checkpoints/NNNNNN.pt} and the training state every {@code every} steps, after the last step, and when
 * the run is asked to stop ({@link Stop#requested()} or the listener's {@link GanListener#stopRequested()}), which it
 * does at a step boundary.
 *
 * <p>The images come from any {@link ImageBatches}: a folder ({@link ImageFolderBatches}), or a renderer of the
 * procedural world once one is written for it; this class is where such a source plugs in.
 */
public final class GanRun {
    /** The folder under OUT holding the checkpoints and the training state. */
    public static final String CHECKPOINTS = "checkpoints";

    private GanRun() {
    }

    /**
     * @param out   the output folder (created if needed; files of the same names are replaced)
     * @param steps train until this many steps are done (counted from the start of the run, across resumes)
     * @param every samples, checkpoint and training state every this many steps
     */
    public record Settings(Path out, long steps, int every) {
        public Settings {
            Checks.given("out", out);
            if (every < 1) throw new SettingException("every", "must be >= 1");
        }
    }

    /** What a run reports: {@link GanListener}'s steps and files, and its start. */
    public interface Listener extends GanListener {
        /** Before the first step: the run's options and the steps it does, from {@code firstStep} up to {@code steps}. */
        default void onStart(GanOptions options, long firstStep, long steps) {
        }
    }

    /** How the run ended and the steps done by then. */
    public record Result(GanTrainer.Outcome outcome, long stepsDone) {
    }

    /** The training state of the run in {@code out}, which {@link #resume} continues from. */
    public static Path stateFile(Path out) {
        return out.resolve(CHECKPOINTS).resolve(GanTrainer.STATE_FILE);
    }

    /** A new run: weights initialised from {@code options.seed()}, trained on {@code images}. */
    public static Result start(GanOptions options, ImageBatches images, Settings settings, Listener listener) throws IOException {
        OutputFiles.checkFolder(settings.out());
        try (GanTrainer trainer = GanTrainer.create(options, images)) {
            return run(trainer, settings, listener);
        }
    }

    /**
     * Continues the run saved in {@link #stateFile}{@code (settings.out())} with its own options ({@link
     * GanTrainer#savedOptions} reads them, e.g. to open the image source at the run's size and seed).
     */
    public static Result resume(ImageBatches images, Settings settings, Listener listener) throws IOException {
        OutputFiles.checkFolder(settings.out());
        try (GanTrainer trainer = GanTrainer.resume(stateFile(settings.out()), images)) {
            return run(trainer, settings, listener);
        }
    }

    private static Result run(GanTrainer trainer, Settings settings, Listener listener) throws IOException {
        listener.onStart(trainer.options(), trainer.nextStep(), settings.steps());
        GanTrainer.Outcome outcome = trainer.run(settings.steps(), settings.out(), settings.every(), new GanListener() {
            @Override
            public void onStep(long step, long until, GanTrainer.StepLosses losses) {
                listener.onStep(step, until, losses);
            }

            @Override
            public void onFileWritten(long step, Path file) {
                listener.onFileWritten(step, file);
            }

            @Override
            public boolean stopRequested() {
                return Stop.requested() || listener.stopRequested();
            }
        });
        return new Result(outcome, trainer.nextStep());
    }
}
