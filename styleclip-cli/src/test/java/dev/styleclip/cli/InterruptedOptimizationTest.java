package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM sent to a child {@code styleclip} process at ten points of an optimization, from start-up to step
 * 90: every exit is 130 or 143, never a native crash (no hs_err file), and the output folder is whole or absent.
 * ({@link InterruptedPreparationTest} sends ten more to a global preparation.)
 */
class InterruptedOptimizationTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();

    @TempDir
    Path dir;

    @Test
    void anOptimizationStopsCleanlyAtAnyPointAndLeavesNothingHalfWritten() throws Exception {
        // where the signal lands: during start-up, while the models load, and after a given optimization step
        int[] afterStep = {-2, -1, 1, 3, 7, 12, 20, 35, 60, 90};
        for (int i = 0; i < afterStep.length; i++) {
            String signal = i % 2 == 0 ? "INT" : "TERM";
            Path out = dir.resolve("opt" + i);
            ChildRun c = new ChildRun(dir, "optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a lion",
                    "--seed", "1", "--steps", "400", "--save-every", "10", "--out", out.toString());
            int at = afterStep[i];
            if (at == -2) Thread.sleep(150);
            else if (at == -1) c.await(() -> !c.err.isEmpty() || c.lastStep() >= 0, 60_000);
            else c.await(() -> c.lastStep() >= at, 60_000);
            c.signal(signal);
            int code = c.exit();
            assertEquals(signal.equals("INT") ? 130 : 143, code, "after step " + at + ": " + c.err);
            assertTrue(!Files.exists(out) || whole(out), () -> "a half-written output after step " + at + ": " + list(out));
        }
        ChildRun.assertNoCrashReport(dir);
    }



    /** A finished run's folder: every file optimize promises. */
    private static boolean whole(Path out) {
        return Stream.of("final.png", "before_after.png", "latent.npy", "provenance.json", "losses.csv").allMatch(f -> Files.isRegularFile(out.resolve(f)));
    }

    private static String list(Path out) {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
