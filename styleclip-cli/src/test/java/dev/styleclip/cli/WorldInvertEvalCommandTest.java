package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.bundled.BundledModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world invert-eval on the bundled models, with an encoder trained here for two steps. */
class WorldInvertEvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void invertsRendersEditsThemAndWritesTheReports() throws Exception {
        Path encoder = dir.resolve("e.pt");
        CliRun train = CliRun.of("encoder", "train", "--steps", "2", "--batch", "2", "--real-batch", "0", "--out", encoder.toString());
        assertEquals(0, train.code(), train.toString());

        Path out = dir.resolve("eval");
        CliRun r = CliRun.of("world", "invert-eval", "--renders", "2", "--variants", "renders,jpeg", "--methods", "encoder", "--edit-renders", "1",
                "--edit-methods", "global", "--recognition", "8", "--encoder", encoder.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().strip().endsWith("wrote " + out.resolve("report.md")), r.out());
        assertTrue(r.err().contains("encoder on renders: 2 renders, PSNR ") && r.err().contains("encoder on jpeg: 2 renders"), r.err());

        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        JsonArray inversion = report.getAsJsonArray("inversion");
        assertEquals(List.of("renders", "jpeg"), inversion.asList().stream().map(c -> c.getAsJsonObject().get("variant").getAsString()).toList());
        for (JsonElement e : inversion) {
            JsonObject c = e.getAsJsonObject();
            assertEquals("encoder", c.get("method").getAsString());
            assertEquals(2, c.get("images").getAsInt());
            assertTrue(Double.isFinite(c.get("psnr_db").getAsDouble()) && c.get("psnr_db").getAsDouble() > 0, c.toString());
            assertTrue(c.get("ms_per_image").getAsDouble() > 0, c.toString());
            for (String k : List.of("agreement", "agreement_own_noise")) assertInUnit(c.get(k).getAsDouble(), k + ": " + c);
            for (Map.Entry<String, JsonElement> cat : c.getAsJsonObject("agreement_by_category").entrySet()) {
                assertInUnit(cat.getValue().getAsDouble(), cat.toString());
            }
            // the encoder alone keeps the generator's noise buffers: (a) and (b) are the same image
            assertEquals(c.get("psnr_db").getAsDouble(), c.get("psnr_db_edit_start").getAsDouble(), 1e-9, c.toString());
            assertEquals(c.get("agreement").getAsDouble(), c.get("agreement_own_noise").getAsDouble(), 1e-9, c.toString());
        }
        JsonArray edits = report.getAsJsonArray("edits");
        assertFalse(edits.isEmpty(), "two renders can take some of the ten prompts");
        for (JsonElement e : edits) {
            JsonObject row = e.getAsJsonObject();
            assertEquals("global", row.get("method").getAsString());
            assertEquals(1, row.get("renders").getAsInt());
            assertEquals(1, row.get("generator_samples").getAsInt());
            for (String k : List.of("success", "preservation", "generator_success")) assertInUnit(row.get(k).getAsDouble(), k + ": " + row);
        }
        assertEquals("encoder", report.get("edit_start").getAsString());

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| encoder | JPEG quality 60 | 2 |") && md.contains("is measured on (b)"), md);
        assertTrue(md.contains("| " + edits.get(0).getAsJsonObject().get("prompt").getAsString() + " | global | 1 |"), md);

        // a row per render shown (one eligible render), columns input, reconstruction (b), the global edit; a label strip on top
        BufferedImage sheet = ImageIO.read(out.resolve("contact_sheet.png").toFile());
        assertEquals(3 * BundledModels.IMAGE_SIZE, sheet.getWidth());
        assertEquals(List.of("input", "recon (b)", "global"), report.getAsJsonObject("contact_sheet").getAsJsonArray("columns").asList().stream()
                .map(JsonElement::getAsString).toList());
        int rows = report.getAsJsonObject("contact_sheet").getAsJsonArray("seeds").size();
        assertEquals(1, rows);
        assertTrue(sheet.getHeight() > rows * BundledModels.IMAGE_SIZE && sheet.getHeight() < rows * BundledModels.IMAGE_SIZE + 32, "label strip");
    }

    @Test
    void badOptionsExitTwoNamingTheOptionBeforeAnythingIsWritten() {
        Path out = dir.resolve("never");
        assertUsage("--renders must be 1 or more, not 0", "--renders", "0", "--encoder", "e.pt", "--out", out.toString());
        assertUsage("--variants must be renders, shifted, rotated or jpeg, not blurred", "--variants", "renders,blurred", "--out", out.toString());
        assertUsage("--methods must be optimize, encoder or encoder+optimize, not paint", "--methods", "paint", "--out", out.toString());
        assertUsage("--edit-methods must be optimize, mapper or global, not paint", "--edit-methods", "paint", "--out", out.toString());
        assertUsage("--steps must lie in [1, 100000], not 0", "--steps", "0", "--out", out.toString());
        assertUsage("--batch must be 1 or more, not 0", "--batch", "0", "--encoder", "e.pt", "--out", out.toString());
        assertUsage("--edit-renders must be 0 or more, not -1", "--edit-renders", "-1", "--encoder", "e.pt", "--out", out.toString());
        assertUsage("--encoder is for the methods encoder and encoder+optimize", "--methods", "optimize", "--encoder", "e.pt", "--out", out.toString());
        if (!BundledModels.has(BundledModels.ENCODER)) {
            assertUsage("--encoder must be given", "--out", out.toString());
        }
        assertFalse(Files.exists(out), "nothing written");
        assertEquals(2, CliRun.of("world", "invert-eval").code(), "--out is required");
    }

    private static void assertUsage(String message, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "world";
        all[1] = "invert-eval";
        System.arraycopy(args, 0, all, 2, args.length);
        CliRun r = CliRun.of(all);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: " + message), r.err());
    }

    private static void assertInUnit(double v, String what) {
        assertTrue(v >= 0 && v <= 1, what);
    }
}
