package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.train.classifier.AttributeClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** edit, world eval and the world training commands, on the bundled models. */
class BundledCommandsTest {
    @TempDir
    Path dir;

    @Test
    void editWithNoModelFilesUsesTheBundledOnesAndWritesTheStrip() throws Exception {
        Path out = dir.resolve("edit");
        CliRun r = CliRun.of("edit", "--prompt", "sunglasses", "--seed", "3", "--steps", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("before_after.png"), r.out());
        var strip = ImageIO.read(out.resolve("before_after.png").toFile());
        assertEquals(2 * BundledModels.IMAGE_SIZE, strip.getWidth());
        assertEquals(BundledModels.IMAGE_SIZE, strip.getHeight());
        String prov = Files.readString(out.resolve("provenance.json"));
        assertTrue(prov.contains("bundled:generator.pt") && prov.contains("\"prompt\": \"sunglasses\""), prov);
        assertTrue(Files.exists(out.resolve("latent.npy")));
    }

    @Test
    void editByGlobalDirectionsUsesTheBundledDirections() {
        Path out = dir.resolve("global");
        CliRun r = CliRun.of("edit", "--method", "global", "--prompt", "purple hair", "--seed", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("before_after.png")));
    }

    @Test
    void editRejectsImpossibleOptions() {
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--seed", "1", "--latent", "a.npy").code());
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--method", "paint").code());
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--steps", "0").code());
        assertEquals(2, CliRun.of("edit").code());
    }

    @Test
    void worldEvalWritesItsTable() throws Exception {
        Path out = dir.resolve("eval");
        CliRun r = CliRun.of("world", "eval", "--prompts", "sunglasses", "--seeds", "2", "--steps", "3", "--recognition", "4",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("| sunglasses | optimize | 2 |") && table.contains("| sunglasses | global | 2 |"), table);
        assertTrue(Files.exists(out.resolve("sunglasses_optimize.png")));
        assertEquals(2, CliRun.of("world", "eval", "--prompts", "paint it black").code());
    }

    @Test
    void worldTrainingCommandsWriteModelsThatLoad() throws Exception {
        Path cls = dir.resolve("cls");
        assertEquals(0, CliRun.of("world", "train", "--model", "classifier", "--steps", "2", "--batch", "4", "--out", cls.toString()).code());
        try (AttributeClassifier c = AttributeClassifier.load(cls.resolve("classifier.pt"))) {
            assertEquals(13, c.categories().size());
        }
        Path gen = dir.resolve("gen");
        CliRun r = CliRun.of("world", "train-generator", "--steps", "2", "--batch", "2", "--channels", "4:32,8:32,16:32",
                "--style-dim", "32", "--n-mlp", "2", "--every", "1", "--out", gen.toString());
        assertEquals(0, r.code(), r.err());
        try (Generator g = Generator.load(gen.resolve("generator.pt"))) {
            assertEquals(16, g.config().size());
        }
        assertTrue(Files.exists(gen.resolve("samples/000002.png")));
        assertEquals(2, CliRun.of("world", "train-generator", "--steps", "2", "--style-dim", "8", "--out", gen.toString()).code());
    }
}
