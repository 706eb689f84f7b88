package dev.styleclip.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API examples compile against the library, and QuickEdit runs: three edits saved, each towards the prompt. */
class QuickEditExampleTest {
    private static final Path EXAMPLE = Path.of("../examples/QuickEdit.java").toAbsolutePath().normalize();
    /** The README's picture; compiled here, run by hand (a minute of edits). */
    private static final Path GALLERY = Path.of("../examples/Gallery.java").toAbsolutePath().normalize();
    /** The measurement behind inversion's defaults; compiled here, run by hand (an hour of inversions). */
    /** The README's picture of an edited picture of one's own; compiled here, run by hand. */
    private static final Path OWN_PICTURE = Path.of("../examples/OwnPicture.java").toAbsolutePath().normalize();
    private static final Path INVERSION_WEIGHTS = Path.of("../examples/InversionWeights.java").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theExampleCompilesRunsAndEveryMethodMovesCloserToThePrompt() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "-Xlint:all,-path", "-Werror", EXAMPLE.toString(), GALLERY.toString(), OWN_PICTURE.toString(),
                INVERSION_WEIGHTS.toString());
        assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));

        Path out = dir.resolve("out");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("QuickEdit").getMethod("main", String[].class).invoke(null, (Object) new String[] {out.toString()});
        } finally {
            System.setOut(stdout);
        }
        Pattern line = Pattern.compile("(\\w+): CLIP similarity to \"purple hair\" (-?[0-9.]+) -> (-?[0-9.]+)");
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        for (String l : lines) {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), l);
            assertTrue(Double.parseDouble(m.group(3)) > Double.parseDouble(m.group(2)) + 0.05, "the edit did not move towards the prompt: " + l);
            Path folder = out.resolve(m.group(1));
            for (String f : List.of("before_after.png", "final.png", "latent.npy", "provenance.json")) {
                assertTrue(Files.isRegularFile(folder.resolve(f)), folder.resolve(f) + " missing");
            }
            JsonObject prov = JsonParser.parseString(Files.readString(folder.resolve("provenance.json"))).getAsJsonObject();
            assertEquals(m.group(1), prov.get("method").getAsString());
            assertEquals(8, prov.get("seed").getAsLong());
            assertEquals("bundled:generator.pt", prov.get("generator").getAsString());
        }
    }
}
