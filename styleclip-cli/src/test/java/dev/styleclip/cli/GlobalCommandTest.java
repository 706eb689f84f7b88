package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobalCommandTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();

    @TempDir
    static Path shared;
    static Path dirs;

    @BeforeAll
    static void prepare() {
        dirs = shared.resolve("dirs");
        CliRun r = CliRun.of("global", "prepare", "--generator", G, "--clip", CLIP, "--out", dirs.toString(),
                "--images", "2", "--samples", "500", "--max-entry", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("(64 channels)"), r.out());
    }

    @Test
    void prepareWritesTheReferenceLayoutAndCleansUp() throws Exception {
        assertEquals(64, Npy.read(dirs.resolve("fs3.npy")).shape()[0]);
        assertEquals(32, Npy.read(dirs.resolve("fs3.npy")).shape()[1]);
        assertEquals(352, Npy.read(dirs.resolve("s_std.npy")).shape()[0]);
        assertTrue(Files.exists(dirs.resolve("prepare.json")));
        assertFalse(Files.exists(dirs.resolve("work")), "work chunks are removed once fs3.npy is written");
    }

    @Test
    void editWritesAStripAndChains(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("edit.png");
        Path codes = dir.resolve("s.npy");
        CliRun r = CliRun.of("global", "edit", "--generator", G, "--clip", CLIP, "--directions", dirs.toString(),
                "--neutral", "a face", "--target", "a face with purple hair", "--alpha", "-3,0,4.1", "--beta", "0.05",
                "--seed", "1", "--out", out.toString(), "--save-codes", codes.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("(?s)beta=0\\.050 changes \\d+ of 64 channels.*"), r.out());
        BufferedImage strip = ImageIO.read(out.toFile());
        assertEquals(4 * 32, strip.getWidth(), "original + 3 alphas");
        // alpha 0 leaves the image as it was
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) assertEquals(strip.getRGB(x, y), strip.getRGB(64 + x, y));
        assertEquals(352, Npy.read(codes).shape()[1]);

        Path chained = dir.resolve("chained.png");
        CliRun r2 = CliRun.of("global", "edit", "--generator", G, "--clip", CLIP, "--directions", dirs.toString(),
                "--neutral", "a face", "--target", "a smiling face", "--codes", codes.toString(), "--out", chained.toString());
        assertEquals(0, r2.code(), r2.toString());
        assertTrue(Files.exists(chained));
        // prompt embeddings are cached in the user's cache folder, never in the directions folder
        Path cache = Path.of(System.getenv("STYLECLIP_CACHE")).resolve("prompt-embeddings");
        try (var cached = Files.list(cache)) {
            assertTrue(cached.count() >= 3, "prompt embeddings are cached");
        }
        assertFalse(Files.exists(dirs.resolve("text")), "a cache in the directions folder");
    }

    @Test
    void betaChangesTheNumberOfChannels(@TempDir Path dir) {
        int low = channels(dir, "0.02");
        int high = channels(dir, "0.3");
        assertTrue(low > high, low + " vs " + high);
    }

    private static int channels(Path dir, String beta) {
        CliRun r = CliRun.of("global", "edit", "--generator", G, "--clip", CLIP, "--directions", dirs.toString(),
                "--neutral", "a face", "--target", "a face with purple hair", "--beta", beta, "--seed", "2",
                "--out", dir.resolve("b" + beta + ".png").toString());
        assertEquals(0, r.code(), r.toString());
        return Integer.parseInt(r.out().replaceAll("(?s).*changes (\\d+) of.*", "$1"));
    }

    @Test
    void badInputs(@TempDir Path dir) {
        assertEquals(2, CliRun.of("global", "edit", "--generator", G, "--clip", CLIP, "--directions", dirs.toString(),
                "--neutral", "a", "--target", "b", "--beta", "2", "--seed", "1", "--out", dir.resolve("x.png").toString()).code());
        CliRun missing = CliRun.of("global", "edit", "--generator", G, "--clip", CLIP, "--directions", dir.toString(),
                "--neutral", "a", "--target", "b", "--seed", "1", "--out", dir.resolve("x.png").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("fs3.npy"), missing.err());
    }
}
