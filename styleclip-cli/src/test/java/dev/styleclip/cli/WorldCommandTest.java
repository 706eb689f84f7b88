package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldCommandTest {
    @TempDir
    Path dir;

    @Test
    void renderWritesImagesCaptionsAttributesAndASheet() throws Exception {
        Path out = dir.resolve("world");
        CliRun r = CliRun.of("world", "render", "--seed", "1,2,3,4,5", "--size", "48", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        for (int s = 1; s <= 5; s++) {
            BufferedImage img = ImageIO.read(out.resolve("seed_" + s + ".png").toFile());
            assertEquals(48, img.getWidth());
            assertEquals(48, img.getHeight());
            List<String> captions = Files.readAllLines(out.resolve("seed_" + s + "_captions.txt"));
            assertEquals(10, captions.size());
            assertTrue(captions.stream().noneMatch(String::isBlank));
            JsonObject json = JsonParser.parseString(Files.readString(out.resolve("seed_" + s + "_attributes.json"))).getAsJsonObject();
            assertEquals(s, json.get("seed").getAsLong());
            JsonObject attrs = json.getAsJsonObject("attributes");
            assertTrue(attrs.has("species") && attrs.has("background"), json.toString());
            String species = attrs.get("species").getAsString();
            if (species.equals("cat")) assertTrue(captions.stream().allMatch(c -> c.contains("cat")));
            if (!species.equals("human")) assertFalse(attrs.has("hair_style"));
            assertTrue(json.getAsJsonObject("nuisance").has("faceWidth"));
        }
        BufferedImage sheet = ImageIO.read(out.resolve("sheet.png").toFile());
        assertEquals(3 * 48, sheet.getWidth());
        assertEquals(2 * 48, sheet.getHeight());
        assertTrue(r.out().contains("sheet.png"));

        // the same seed renders the same bytes again
        Path again = dir.resolve("again");
        assertEquals(0, CliRun.of("world", "render", "--seed", "3", "--size", "48", "--out", again.toString()).code());
        assertEquals(Files.readAllLines(out.resolve("seed_3_captions.txt")), Files.readAllLines(again.resolve("seed_3_captions.txt")));
        BufferedImage a = ImageIO.read(out.resolve("seed_3.png").toFile());
        BufferedImage b = ImageIO.read(again.resolve("seed_3.png").toFile());
        assertTrue(java.util.Arrays.equals(a.getRGB(0, 0, 48, 48, null, 0, 48), b.getRGB(0, 0, 48, 48, null, 0, 48)));
    }

    @Test
    void eachHelpParagraphIsWholeAndTheFirstIsOneSentence() {
        picocli.CommandLine world = new picocli.CommandLine(new Main()).getSubcommands().get("world");
        assertEquals(List.of("render", "train", "train-generator", "train-gan", "eval", "invert-eval"), List.copyOf(world.getSubcommands().keySet()));
        for (picocli.CommandLine sub : world.getSubcommands().values()) {
            List<String> paragraphs = List.of(sub.getCommandSpec().usageMessage().description());
            String name = sub.getCommandName();
            assertFalse(paragraphs.isEmpty(), name);
            // picocli prints each element on a line of its own: each must end a sentence, and the parent lists the first alone
            for (String p : paragraphs) assertTrue(p.endsWith("."), name + ": a paragraph broken mid-sentence: " + p);
            String first = paragraphs.get(0);
            assertFalse(first.contains(". "), name + ": the summary is one sentence: " + first);
        }
    }

    @Test
    void badUsageExitsTwoAndFailuresOne() throws Exception {
        assertEquals(2, CliRun.of("world").code());
        assertEquals(2, CliRun.of("world", "render", "--out", dir.toString()).code());
        CliRun badSize = CliRun.of("world", "render", "--seed", "1", "--size", "0", "--out", dir.toString());
        assertEquals(2, badSize.code(), badSize.toString());
        assertTrue(badSize.err().contains("--size"), badSize.err());
        assertEquals(2, CliRun.of("world", "render", "--seed", "x", "--out", dir.toString()).code());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun notDir = CliRun.of("world", "render", "--seed", "1", "--out", file.toString());
        assertEquals(1, notDir.code(), notDir.toString());
        assertTrue(notDir.err().startsWith("error: ") && notDir.err().lines().count() == 1, notDir.err());
        assertEquals(0, CliRun.of("world", "render", "--help").code());
    }
}
