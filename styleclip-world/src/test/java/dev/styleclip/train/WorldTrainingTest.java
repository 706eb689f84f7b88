package dev.styleclip.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.check.SettingException;
import dev.styleclip.stop.Stop;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.train.classifier.ClassifierTrainer;
import dev.styleclip.train.clip.ClipTrainOptions;
import dev.styleclip.train.clip.ClipTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world train's runs: the classifier's file, the CLIP stopped at a step boundary, and the checks of the data settings. */
class WorldTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theClassifierIsWrittenIntoTheFolder() throws Exception {
        List<Long> steps = new ArrayList<>();
        Path file = WorldTraining.trainClassifier(new ClassifierTrainer.Options(0, 2, 2, 1e-3), new WorldTraining.Data(16, 0, 0),
                dir.resolve("cls"), (step, total, loss) -> steps.add(step));
        assertEquals(dir.resolve("cls").resolve(WorldTraining.CLASSIFIER_FILE), file);
        assertEquals(List.of(0L, 1L), steps);
        try (AttributeClassifier c = AttributeClassifier.load(file)) {
            assertEquals(WorldData.categories().size(), c.categories().size());
        }
        SettingException pairs = assertThrows(SettingException.class, () -> WorldTraining.trainClassifier(
                new ClassifierTrainer.Options(0, 1, 2, 1e-3), new WorldTraining.Data(16, 0, 0.5), dir.resolve("x"), (s, t, l) -> { }));
        assertEquals("pairs applies to clip only", pairs.getMessage());
    }

    @Test
    void aStoppedClipRunSavesAtItsStepBoundary() throws Exception {
        Path out = dir.resolve("clip");
        List<Long> steps = new ArrayList<>();
        Stop.requestAll("test");
        try {
            ClipTrainer.Outcome outcome = WorldTraining.trainClip(ClipTrainOptions.defaults(3).withBatchSize(2), null,
                    new WorldTraining.Data(64, 0, 0), out, (r, total) -> steps.add(r.step()));
            assertEquals(ClipTrainer.Outcome.STOPPED, outcome);
        } finally {
            Stop.clearAll();
        }
        assertEquals(List.of(0L), steps);
        assertTrue(Files.exists(out.resolve(ClipTrainer.MODEL_FILE)) && Files.exists(out.resolve(ClipTrainer.STATE_FILE)));
    }

    @Test
    void badDataSettingsNameTheirOption() {
        assertEquals("size", assertThrows(SettingException.class, () -> new WorldTraining.Data(4, 0, 0)).setting());
        assertEquals("blur", assertThrows(SettingException.class, () -> new WorldTraining.Data(64, 1.5, 0)).setting());
        assertEquals("pairs", assertThrows(SettingException.class, () -> new WorldTraining.Data(64, 0, -0.1)).setting());
    }
}
