package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that is interrupted and resumed from its saved state gives the same losses, step for step, and the same
 * weights as the same run without interruption: after a crash (resuming from the last save) and after a requested
 * stop. Uses the tiny fixture models (with the ID loss), and a shuffled order over two epochs.
 */
class ResumeTest {
    static TrainFixture fx;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        fx = new TrainFixture();
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    MapperOptions options(Path exp) {
        return fx.options(exp.toString()).with(Map.of("max_steps", 5, "save_interval", 2, "val_interval", 100,
                "image_interval", 2, "learning_rate", 500.0));
    }

    static final class Recorder implements TrainListener {
        final Map<Long, LossDict> losses = new LinkedHashMap<>();
        final List<Path> files = new ArrayList<>();
        long crashAfter = -1;
        long stopAfter = -1;

        @Override
        public void onStep(long step, long maxSteps, LossDict l) {
            losses.put(step, l);
            if (step == crashAfter) throw new IllegalStateException("simulated crash after step " + step);
        }

        @Override
        public void onFileWritten(long step, Path file) {
            files.add(file);
        }

        @Override
        public boolean stopRequested() {
            return losses.containsKey(stopAfter);
        }
    }

    private Recorder train(MapperOptions opts, Recorder r, TrainState resumeFrom) throws IOException {
        try (LevelsMapper mapper = fx.ckpt.mapper();
             MapperTrainer t = new MapperTrainer(opts, fx.models(mapper, fx.idLoss()), fx.train, fx.test,
                     BatchOrder.shuffled(fx.train.size(), opts.batchSize(), opts.seed()))) {
            if (resumeFrom != null) t.restore(resumeFrom);
            try {
                t.run(r);
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage().startsWith("simulated crash"));
            }
        }
        return r;
    }

    /**
     * Run A goes straight through steps 0-4 (two epochs of 4 batches). Run B is stopped on request after step 1
     * (the state is saved there), resumed, crashes after step 3 (the last save was at step 2), and is resumed again.
     */
    @Test
    void interruptedAndResumedRunsEqualTheUninterruptedOne() throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        Recorder straight = train(options(a), new Recorder(), null);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), new ArrayList<>(straight.losses.keySet()));

        Recorder stopped = new Recorder();
        stopped.stopAfter = 1;
        train(options(b), stopped, null);
        Path state = b.resolve("checkpoints/train_state.pt");
        TrainState atStop = TrainState.read(state);
        assertEquals(2, atStop.nextStep());

        Recorder crashed = new Recorder();
        crashed.crashAfter = 3;
        train(options(b), crashed, atStop);
        assertEquals(List.of(2L, 3L), new ArrayList<>(crashed.losses.keySet()));
        TrainState afterCrash = TrainState.read(state);
        assertEquals(3, afterCrash.nextStep(), "the state saved at step 2 (save_interval 2)");

        Recorder resumed = train(options(b), new Recorder(), afterCrash);
        assertEquals(List.of(3L, 4L), new ArrayList<>(resumed.losses.keySet()));

        Map<Long, LossDict> interrupted = new LinkedHashMap<>(stopped.losses);
        interrupted.putAll(crashed.losses);
        interrupted.putAll(resumed.losses); // step 3 again, after the crash
        assertEquals(crashed.losses.get(3L).values(), resumed.losses.get(3L).values(), "step 3 before and after the crash");
        for (long s = 0; s < 5; s++) assertEquals(straight.losses.get(s).values(), interrupted.get(s).values(), "step " + s);
        // the weights did move (lr 500), and the final checkpoints are identical
        assertTrue(straight.losses.get(4L).get(LossDict.L2_LATENT) != straight.losses.get(0L).get(LossDict.L2_LATENT));
        Map<String, TensorRef> x = Checkpoint.tensors(CheckpointReader.read(a.resolve("checkpoints/iteration_4.pt")).rootMap().get("state_dict"));
        Map<String, TensorRef> y = Checkpoint.tensors(CheckpointReader.read(b.resolve("checkpoints/iteration_4.pt")).rootMap().get("state_dict"));
        assertEquals(new ArrayList<>(x.keySet()), new ArrayList<>(y.keySet()));
        for (String k : x.keySet()) assertEquals(x.get(k).read().data(), y.get(k).read().data(), k);
    }

    @Test
    void runWritesTheCoachsFiles() throws IOException {
        Path exp = dir.resolve("files");
        Recorder r = train(fx.options(exp.toString()).with(Map.of("max_steps", 3, "save_interval", 2, "val_interval", 2,
                "image_interval", 2, "learning_rate", 500.0)), new Recorder(), null);
        Set<String> names = new HashSet<>();
        for (Path p : r.files) names.add(exp.relativize(p).toString());
        for (String f : List.of("checkpoints/iteration_0.pt", "checkpoints/iteration_2.pt", "checkpoints/best_model.pt",
                "checkpoints/train_state.pt", "logs/images_train/00000.png", "logs/images_train/00002.png",
                "logs/images_val/00000_00000.png", "logs/images_val/00002_00001.png")) {
            assertTrue(names.contains(f), f + " in " + names);
            assertTrue(Files.size(exp.resolve(f)) > 0, f);
        }
        String stamps = Files.readString(exp.resolve("checkpoints/timestamp.txt"));
        assertTrue(stamps.startsWith("**Best**: Step - 0, Loss - "), stamps);
        List<String> metrics = Files.readAllLines(exp.resolve("logs/metrics.jsonl"));
        assertEquals(3 + 2, metrics.size(), "a train line per step (board_interval 1) and 2 validations");
        assertTrue(!Files.exists(exp.resolve("checkpoints/iteration_1.pt")));
        // a written checkpoint is a mapper checkpoint with the run's opts
        MapperCheckpoint ck = MapperCheckpoint.read(exp.resolve("checkpoints/iteration_2.pt"));
        assertEquals(500.0, ((Number) ck.opts().get("learning_rate")).doubleValue());
        assertEquals(exp.toString(), ck.opts().get("exp_dir"));
        assertEquals(MapperLevel.all(), ck.levels());
    }

    @Test
    void restoreRefusesAStateOfOtherOptions() throws IOException {
        Path exp = dir.resolve("opts");
        Recorder r = new Recorder();
        r.stopAfter = 0;
        train(options(exp), r, null);
        TrainState s = TrainState.read(exp.resolve("checkpoints/train_state.pt"));
        MapperOptions other = options(exp).with("learning_rate", 0.5);
        try (LevelsMapper mapper = fx.ckpt.mapper();
             MapperTrainer t = new MapperTrainer(other, fx.models(mapper, fx.idLoss()), fx.train, fx.test, TrainFixture.recordedOrder())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restore(s));
            assertTrue(e.getMessage().contains("learning_rate"), e.getMessage());
        }
        assertThrows(dev.styleclip.io.CheckpointException.class, () -> TrainState.read(exp.resolve("checkpoints/iteration_0.pt")));
    }

    @Test
    void shuffledOrderIsAPermutationPerEpochAndAFunctionOfTheStep() {
        BatchOrder o = BatchOrder.shuffled(8, 2, 0);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[8];
            for (int b = 0; b < 4; b++) for (int i : o.batch(epoch * 4L + b)) seen[i]++;
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, seen, "epoch " + epoch);
        }
        assertArrayEquals(o.batch(5), BatchOrder.shuffled(8, 2, 0).batch(5));
        assertTrue(!Arrays.equals(o.batch(0), BatchOrder.shuffled(8, 2, 1).batch(0)) || !Arrays.equals(o.batch(1), BatchOrder.shuffled(8, 2, 1).batch(1)));
        assertThrows(IllegalArgumentException.class, () -> BatchOrder.shuffled(1, 2, 0));
    }
}
