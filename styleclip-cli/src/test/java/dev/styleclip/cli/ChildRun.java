package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line in a child JVM (for what only a real process shows: signals, kills, exit codes), with SIGINT and
 * SIGTERM reset to their defaults (a parent that runs in the background may ignore them, and the child would inherit
 * that). Standard error is collected; the last optimization step printed is tracked.
 */
final class ChildRun {
    private static final Pattern STEP = Pattern.compile("optimize (\\d+)/");
    final Process process;
    final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private volatile int lastStep = -1;

    ChildRun(Path cwd, String... args) throws IOException {
        this(cwd, Map.of(), List.of(), args);
    }

    ChildRun(Path cwd, Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = $SIG{TERM} = 'DEFAULT'; exec @ARGV or die $!",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
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

    /** The last optimization step the child printed (-1: none yet). */
    int lastStep() {
        return lastStep;
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    /** Waits until {@code condition} holds, the child ends, or the time is up. */
    void await(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean() && process.isAlive() && System.currentTimeMillis() < end) Thread.sleep(20);
    }

    int exit() throws InterruptedException {
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the process ends");
        return process.exitValue();
    }

    /** No child left a JVM crash report (hs_err_pid*.log) in {@code cwd}. */
    static void assertNoCrashReport(Path cwd) throws IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(cwd)) {
            List<String> reports = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")).toList();
            assertTrue(reports.isEmpty(), "native crash reports: " + reports);
        }
    }
}
