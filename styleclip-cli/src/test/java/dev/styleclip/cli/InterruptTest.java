package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM sent to a child {@code styleclip} process at several points of an optimization and of a global
 * preparation: every exit is 130 or 143, never a native crash (no hs_err file), the outputs are whole, and an
 * interrupted preparation resumes to the same fs3 as an uninterrupted one.
 */
class InterruptTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();
    private static final Pattern STEP = Pattern.compile("optimize (\\d+)/");

    @TempDir
    Path dir;

    /** A child JVM running the command line; SIGINT and SIGTERM reset to their defaults (a parent may ignore them). */
    private static final class Child {
        final Process process;
        final List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int lastStep = -1;

        Child(Path cwd, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = $SIG{TERM} = 'DEFAULT'; exec @ARGV or die $!",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            process = pb.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        err.add(line);
                        Matcher m = STEP.matcher(line);
                        if (m.find()) lastStep = Integer.parseInt(m.group(1));
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        }

        void awaitThen(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMs;
            while (!condition.getAsBoolean() && process.isAlive() && System.currentTimeMillis() < end) Thread.sleep(20);
        }

        int exit() throws InterruptedException {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the process ends");
            return process.exitValue();
        }
    }

    @Test
    void anOptimizationStopsCleanlyAtAnyPointAndLeavesNothingHalfWritten() throws Exception {
        // where the signal lands: during start-up, while the models load, and after a given optimization step
        int[] afterStep = {-2, -1, 1, 3, 7, 12, 20, 35, 60, 90};
        for (int i = 0; i < afterStep.length; i++) {
            String signal = i % 2 == 0 ? "INT" : "TERM";
            Path out = dir.resolve("opt" + i);
            Child c = new Child(dir, "optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a lion",
                    "--seed", "1", "--steps", "400", "--save-every", "10", "--out", out.toString());
            int at = afterStep[i];
            if (at == -2) Thread.sleep(150);
            else if (at == -1) c.awaitThen(() -> !c.err.isEmpty() || c.lastStep >= 0, 60_000);
            else c.awaitThen(() -> c.lastStep >= at, 60_000);
            c.signal(signal);
            int code = c.exit();
            assertEquals(signal.equals("INT") ? 130 : 143, code, "after step " + at + ": " + c.err);
            assertTrue(!Files.exists(out) || whole(out), () -> "a half-written output after step " + at + ": " + list(out));
        }
        assertNoCrashReport();
    }

    @Test
    void anInterruptedPreparationResumesToTheSameResult() throws Exception {
        String[] prepare = {"global", "prepare", "--generator", G, "--clip", CLIP, "--images", "2", "--samples", "500", "--max-entry", "6"};
        Path reference = dir.resolve("reference");
        CliRun whole = CliRun.of(args(prepare, "--out", reference.toString()));
        assertEquals(0, whole.code(), whole.toString());

        Path resumed = dir.resolve("resumed");
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            String signal = i % 2 == 0 ? "TERM" : "INT";
            int chunks = i; // a signal after 0, 1, 2, ... finished chunks of this run
            Child c = new Child(dir, args(prepare, "--out", resumed.toString()));
            long before = chunks(resumed);
            c.awaitThen(() -> chunks(resumed) >= before + Math.min(chunks, 1) && (chunks == 0 || Files.exists(resumed.resolve("s_std.npy"))), 60_000);
            c.signal(signal);
            int code = c.exit();
            if (code == 0) break; // it finished before the signal landed
            assertEquals(signal.equals("INT") ? 130 : 143, code, String.join("\n", c.err));
            assertFalse(Files.exists(resumed.resolve("fs3.npy")), "fs3.npy is written only when every chunk is done");
            System.out.printf("prepare round %d: %d chunks, %.1f s%n", i, chunks(resumed), (System.nanoTime() - t0) / 1e9);
        }
        Child last = new Child(dir, args(prepare, "--out", resumed.toString()));
        assertEquals(0, last.exit(), String.join("\n", last.err));
        assertArrayEquals(Files.readAllBytes(reference.resolve("fs3.npy")), Files.readAllBytes(resumed.resolve("fs3.npy")),
                "the resumed fs3 equals the uninterrupted one");
        assertArrayEquals(Files.readAllBytes(reference.resolve("s_std.npy")), Files.readAllBytes(resumed.resolve("s_std.npy")));
        assertNoCrashReport();
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

    private void assertNoCrashReport() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> reports = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")).toList();
            assertTrue(reports.isEmpty(), "native crash reports: " + reports);
        }
    }
}
