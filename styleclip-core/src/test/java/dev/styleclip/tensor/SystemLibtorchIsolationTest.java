package dev.styleclip.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run with an empty JavaCPP cache, on a machine where another libtorch sits on the library
 * path (as Debian's libtorch-dev puts one), must load the bundled libtorch and not crash. Installing the
 * Debian package would endanger this machine, so impostor libraries stand in for it: libtorch_cpu.so,
 * libtorch.so and libc10.so whose constructors abort the process if they are ever loaded.
 */
class SystemLibtorchIsolationTest {
    @TempDir
    Path dir;

    @Test
    void bundledLibtorchIsLoadedOnAFreshCache() throws Exception {
        Path fake = Files.createDirectories(dir.resolve("system-lib"));
        Path src = dir.resolve("impostor.c");
        Files.writeString(src, "#include <stdlib.h>\n#include <stdio.h>\n"
                + "__attribute__((constructor)) static void boom(void) { fprintf(stderr, \"IMPOSTOR LOADED\\n\"); abort(); }\n");
        for (String lib : new String[] {"libtorch_cpu.so", "libtorch.so", "libc10.so"}) {
            Process cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", fake.resolve(lib).toString(), src.toString())
                    .redirectErrorStream(true).start();
            boolean ok = cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0;
            assumeTrue(ok, "gcc is needed to build the impostor libraries");
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path cache = dir.resolve("fresh-javacpp-cache");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-Djava.library.path=" + fake,
                "-cp", cp, EngineProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", fake.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("IMPOSTOR"), out);
        assertTrue(out.contains("sum=3.0"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("mapped ") && l.contains(cache.toString()) && l.contains("libtorch_cpu")), out);
        assertFalse(out.lines().anyMatch(l -> l.startsWith("mapped ") && l.contains(fake.toString() + File.separator)), out);
    }
}
