package dev.styleclip.bundled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bundled files are copied into a temporary folder; a process leaves nothing of it behind when it exits. */
class BundledFolderCleanupTest {
    /** Run in a child JVM: copies out a mapper and the directions (sub-folders), prints the folder, exits. */
    public static final class Probe {
        public static void main(String[] args) {
            String prompt = BundledModels.mapperPrompts().get(0);
            Path mapper = BundledModels.path(BundledModels.mapperName(prompt));
            Path directions = BundledModels.directions();
            System.out.println(BundledModels.folderPath());
            System.out.println(Files.isRegularFile(mapper) && Files.isRegularFile(directions.resolve("fs3.npy")));
        }
    }

    @Test
    void theTemporaryFolderAndItsSubFoldersAreGoneWhenTheProcessExits() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe finishes");
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(0, p.exitValue(), String.join("\n", out));
        assertEquals(2, out.length, String.join("\n", out));
        Path folder = Paths.get(out[0].strip());
        assertTrue(folder.getFileName().toString().startsWith("styleclip-bundled-"), out[0]);
        assertEquals("true", out[1].strip(), "the probe saw the files it copied out");
        assertFalse(Files.exists(folder), "the bundled folder is left behind: " + folder);
    }
}
