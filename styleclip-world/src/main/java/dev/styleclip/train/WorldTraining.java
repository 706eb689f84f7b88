package dev.styleclip.train;

import dev.styleclip.check.SettingException;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.train.classifier.ClassifierTrainer;
import dev.styleclip.train.clip.ClipTrainOptions;
import dev.styleclip.train.clip.ClipTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Training the bundled set's classifier and CLIP on the world into a folder, as {@code styleclip world train} does:
 * which portraits each model learns from ({@link WorldData}: the classifier's from the first training seed, the
 * CLIP's from {@link #CLIP_SEED_OFFSET} further on) and where the result is written. The trainers themselves are
 * {@link ClassifierTrainer} and {@link ClipTrainer}.
 */
public final class WorldTraining {
    /** The classifier's file in the output folder. */
    public static final String CLASSIFIER_FILE = "classifier.pt";
    /** The CLIP's portraits start this far after the classifier's, so that the two models never learn from the same ones. */
    public static final long CLIP_SEED_OFFSET = 500_000_000L;
    /** {@code world train} saves the CLIP and its training state every this many steps ({@link ClipTrainOptions#saveEvery}). */
    public static final long CLIP_SAVE_EVERY = 100;

    private WorldTraining() {
    }

    /**
     * The portraits a model learns from; a bad value is a {@link SettingException} named as {@code world train}'s option.
     *
     * @param size  image side in pixels, 8 to 1024
     * @param blur  the share of portraits softened by a Gaussian blur ({@link WorldData#blurSome}), in [0, 1]
     * @param pairs the CLIP only: the share of each batch made of twins ({@link WorldData#captionedPairs}), in [0, 1]
     */
    public record Data(int size, double blur, double pairs) {
        public Data {
            if (size < 8 || size > 1024) throw new SettingException("size", "must be in 8..1024");
            if (blur < 0 || blur > 1) throw new SettingException("blur", "must be in [0, 1]");
            if (pairs < 0 || pairs > 1) throw new SettingException("pairs", "must be in [0, 1]");
        }
    }

    /**
     * Trains a new classifier of the world's categories ({@link WorldData#categories()}) on labelled portraits and
     * writes it to {@code out}/{@value #CLASSIFIER_FILE}; returns that file. The classifier takes no twins.
     */
    public static Path trainClassifier(ClassifierTrainer.Options options, Data data, Path out, ClassifierTrainer.Listener listener)
            throws IOException {
        if (data.pairs() > 0) throw new SettingException("pairs", "applies to clip only");
        OutputFiles.checkFolder(out);
        Files.createDirectories(out);
        Path file = out.resolve(CLASSIFIER_FILE);
        try (AttributeClassifier c = ClassifierTrainer.train(WorldData.categories(), options, WorldData.labeled(data.size(), 0, data.blur()),
                file, listener)) {
            return file;
        }
    }

    /**
     * Trains the small CLIP ({@link ClipTrainer#smallConfig()}) on captioned portraits into {@code out}
     * ({@value ClipTrainer#MODEL_FILE} and its training state): a new run, from {@code init}'s weights when it is not
     * null, or the run whose state {@code out} holds, continued. A stop asked for through {@link Stop} (or the
     * listener) ends it at a step boundary after saving.
     */
    public static ClipTrainer.Outcome trainClip(ClipTrainOptions options, Path init, Data data, Path out, ClipTrainer.Listener listener)
            throws IOException {
        OutputFiles.checkFolder(out);
        return ClipTrainer.train(ClipTrainer.smallConfig(), init, options,
                WorldData.captionedPairs(data.size(), CLIP_SEED_OFFSET, data.blur(), data.pairs()), out, new ClipTrainer.Listener() {
                    @Override
                    public void onStep(ClipTrainer.StepResult result, long totalSteps) {
                        listener.onStep(result, totalSteps);
                    }

                    @Override
                    public void onFileWritten(Path file) {
                        listener.onFileWritten(file);
                    }

                    @Override
                    public boolean stopRequested() {
                        return Stop.requested() || listener.stopRequested();
                    }
                });
    }
}
