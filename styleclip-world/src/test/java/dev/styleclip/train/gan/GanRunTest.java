package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.check.SettingException;
import dev.styleclip.stop.Stop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world train-gan's run: a new run stopped at a step boundary saves its state, and a resumed run goes on from it. */
class GanRunTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedRunSavesAndAResumedOneFinishes() throws Exception {
        Path out = dir.resolve("run");
        GanOptions options = GanTrainerTest.tiny(4).withBatch(4);
        List<Long> starts = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        GanRun.Listener stopAfterTwo = new GanRun.Listener() {
            long steps;

            @Override
            public void onStart(GanOptions o, long firstStep, long until) {
                starts.add(firstStep);
                assertEquals(options, o);
            }

            @Override
            public void onStep(long step, long until, GanTrainer.StepLosses losses) {
                steps++;
            }

            @Override
            public void onFileWritten(long step, Path file) {
                written.add(out.relativize(file));
            }

            @Override
            public boolean stopRequested() {
                return steps == 2;
            }
        };
        GanRun.Result stopped = GanRun.start(options, GanTrainerTest.SQUARES, new GanRun.Settings(out, 5, 100), stopAfterTwo);
        assertEquals(new GanRun.Result(GanTrainer.Outcome.STOPPED, 2), stopped);
        assertEquals(List.of(Path.of("samples/000002.png"), Path.of("checkpoints/000002.pt"), Path.of("checkpoints", GanTrainer.STATE_FILE)),
                written);
        assertEquals(options, GanTrainer.savedOptions(GanRun.stateFile(out)));

        GanRun.Result finished = GanRun.resume(GanTrainerTest.SQUARES, new GanRun.Settings(out, 3, 100), new GanRun.Listener() {
            @Override
            public void onStart(GanOptions o, long firstStep, long until) {
                starts.add(firstStep);
            }
        });
        assertEquals(new GanRun.Result(GanTrainer.Outcome.FINISHED, 3), finished);
        assertEquals(List.of(0L, 2L), starts);
        assertTrue(Files.exists(out.resolve("checkpoints/000003.pt")));
    }

    @Test
    void aStopAskedForThroughStopEndsTheRunAfterItsStep() throws Exception {
        Path out = dir.resolve("stopped");
        Stop.requestAll("test");
        try {
            GanRun.Result r = GanRun.start(GanTrainerTest.tiny(4).withBatch(4), GanTrainerTest.SQUARES, new GanRun.Settings(out, 5, 100),
                    new GanRun.Listener() { });
            assertEquals(new GanRun.Result(GanTrainer.Outcome.STOPPED, 1), r);
            assertTrue(Files.exists(GanRun.stateFile(out)));
        } finally {
            Stop.clearAll();
        }
    }

    @Test
    void anImpossibleOutputFolderFailsBeforeTraining() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> GanRun.start(GanTrainerTest.tiny(4), GanTrainerTest.SQUARES,
                new GanRun.Settings(file, 5, 100), new GanRun.Listener() { }));
        SettingException e = assertThrows(SettingException.class, () -> new GanRun.Settings(dir, 5, 0));
        assertEquals("every", e.setting());
    }
}
