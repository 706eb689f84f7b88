package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.optim.OptimizerName;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MapperTraining}: a run set up from its options alone, stopped by its length and continued from its state. */
class MapperTrainingTest {
    @TempDir
    Path dir;

    static final TrainListener QUIET = new TrainListener() { };

    MapperOptions.Builder tiny() {
        return MapperOptions.builder().description("a smiling face").clip(Fixtures.path("clip/tiny_clip_jit.pt"))
                .generator(Fixtures.path("stylegan2/tiny_g32.pt")).expDir(dir.resolve("exp")).trainDatasetSize(4).testDatasetSize(0)
                .levels(EnumSet.of(MapperLevel.COARSE, MapperLevel.FINE)).optimizer(OptimizerName.ADAM).lr(1).idLambda(0).maxSteps(1);
    }

    @Test
    void startsFromItsOptionsAndContinuesFromItsState() throws IOException {
        Path checkpoints = dir.resolve("exp").toAbsolutePath().resolve("checkpoints");
        try (MapperTraining run = MapperTraining.start(tiny().build())) {
            assertEquals(32, run.options().styleganSize(), "stylegan_size is the decoder's");
            assertEquals(4, run.trainingLatents());
            assertEquals(0, run.trainer().nextStep());
            assertEquals(checkpoints, run.checkpoints());
            assertEquals(checkpoints.resolve(MapperTrainer.STATE_FILE), run.stateFile());
            assertEquals(MapperTrainer.Outcome.FINISHED, run.run(QUIET));
        }
        assertTrue(Files.exists(checkpoints.resolve("iteration_0.pt")));
        TrainState state = TrainState.read(checkpoints.resolve(MapperTrainer.STATE_FILE));
        try (MapperTraining more = MapperTraining.resume(state, state.options().withMaxSteps(2))) {
            assertEquals(1, more.trainer().nextStep());
            assertEquals(MapperTrainer.Outcome.FINISHED, more.run(QUIET));
        }
        assertTrue(Files.exists(checkpoints.resolve("iteration_1.pt")));
    }

    @Test
    void aFileThatCannotBeLoadedFailsTheStart() {
        MapperOptions opts = tiny().clip(dir.resolve("missing_clip.pt")).build();
        assertThrows(IOException.class, () -> MapperTraining.start(opts).close());
    }
}
