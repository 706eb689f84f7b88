package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT sent to a child {@code global prepare} ten times, each after more of its chunks are done: every
 * exit is 143 or 130, never a native crash (no hs_err file), fs3.npy appears only when every chunk is done, and the
 * rerun that finishes writes the same fs3 as an uninterrupted run.
 */
class InterruptedPreparationTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();

    @TempDir
    Path dir;

    @Test
    void anInterruptedPreparationResumesToTheSameResult() throws Exception {
        String[] prepare = {"global", "prepare", "--generator", G, "--clip", CLIP, "--images", "2", "--samples", "500", "--max-entry", "10"};
        Path reference = dir.resolve("reference");
        CliRun whole = CliRun.of(args(prepare, "--out", reference.toString()));
        assertEquals(0, whole.code(), whole.toString());

        Path resumed = dir.resolve("resumed");
        for (int i = 0; i < 10; i++) {
            String signal = i % 2 == 0 ? "TERM" : "INT";
            int chunks = i; // a signal after 0, 1, 2, ... finished chunks of this run
            ChildRun c = new ChildRun(dir, args(prepare, "--out", resumed.toString()));
            long before = chunks(resumed);
            c.await(() -> chunks(resumed) >= before + Math.min(chunks, 1) && (chunks == 0 || Files.exists(resumed.resolve("s_std.npy"))), 60_000);
            c.signal(signal);
            int code = c.exit();
            assertEquals(signal.equals("INT") ? 130 : 143, code, String.join("\n", c.err));
            assertFalse(Files.exists(resumed.resolve("fs3.npy")), "fs3.npy is written only when every chunk is done");
        }
        ChildRun last = new ChildRun(dir, args(prepare, "--out", resumed.toString()));
        assertEquals(0, last.exit(), String.join("\n", last.err));
        assertArrayEquals(Files.readAllBytes(reference.resolve("fs3.npy")), Files.readAllBytes(resumed.resolve("fs3.npy")),
                "the resumed fs3 equals the uninterrupted one");
        assertArrayEquals(Files.readAllBytes(reference.resolve("s_std.npy")), Files.readAllBytes(resumed.resolve("s_std.npy")));
        ChildRun.assertNoCrashReport(dir);
    }

    private static String[] args(String[] base, String... more) {
        return Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    }

    private static long chunks(Path folder) {
        Path work = folder.resolve("work");
        if (!Files.isDirectory(work)) return 0;
        try (Stream<Path> s = Files.list(work)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".npy")).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
