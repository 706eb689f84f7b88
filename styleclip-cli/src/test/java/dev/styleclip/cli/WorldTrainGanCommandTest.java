package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.stylegan2.Generator;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldTrainGanCommandTest {
    @TempDir
    Path dir;

    private Path images() throws Exception {
        Path d = dir.resolve("images");
        Files.createDirectories(d);
        for (int i = 0; i < 12; i++) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 2; y < 8; y++) for (int x = 2; x < 8; x++) img.setRGB(x, y, 0xff0000 >> (8 * (i % 3)));
            ImageIO.write(img, "png", d.resolve(String.format("%03d.png", i)).toFile());
        }
        return d;
    }

    @Test
    void trainsWritesCheckpointsAndResumes() throws Exception {
        Path imgs = images();
        Path out = dir.resolve("run");
        String[] common = {"world", "train-gan", "--images", imgs.toString(), "--out", out.toString()};
        CliRun r = CliRun.of(concat(common, "--steps", "4", "--batch", "4", "--size", "16", "--style-dim", "16", "--n-mlp", "2",
                "--channels", "4:16,8:16,16:8", "--every", "2", "--log-every", "2"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(out.resolve("samples/000002.png")), r.toString());
        assertTrue(Files.exists(out.resolve("checkpoints/000004.pt")));
        assertTrue(r.err().contains("step 4/4"), r.toString());
        CliRun again = CliRun.of(concat(common, "--resume", "--steps", "6", "--every", "100"));
        assertEquals(0, again.code(), again.toString());
        // the header names the steps the resumed run does: from the saved step 4 up to 6
        var header = java.util.regex.Pattern.compile("^train-gan: .*, steps (\\d+)-(\\d+)$", java.util.regex.Pattern.MULTILINE).matcher(again.out());
        assertTrue(header.find(), again.toString());
        assertEquals(4, Integer.parseInt(header.group(1)));
        assertEquals(6, Integer.parseInt(header.group(2)));
        assertTrue(again.out().lines().anyMatch(l -> l.equals("wrote " + Path.of("checkpoints", "000006.pt"))), again.toString());
        assertTrue(Files.exists(out.resolve("checkpoints/000006.pt")));
        try (Generator g = Generator.load(out.resolve("checkpoints/000006.pt"))) {
            assertEquals(16, g.config().size());
        }
        CliRun inspect = CliRun.of("inspect", out.resolve("checkpoints/000006.pt").toString());
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().contains("rosinality training checkpoint"), inspect.toString());
    }

    @Test
    void usageErrors() {
        assertEquals(2, CliRun.of("world", "train-gan", "--out", dir.toString()).code());
        // --images-seed is not built: neither accepted nor advertised
        CliRun seed = CliRun.of("world", "train-gan", "--out", dir.toString(), "--images", dir.toString(), "--images-seed", "3");
        assertEquals(2, seed.code());
        assertTrue(seed.err().contains("Unknown options: '--images-seed'"), seed.toString());
        CliRun help = CliRun.of("world", "train-gan", "--help");
        assertEquals(0, help.code());
        assertFalse(help.out().contains("--images-seed"), help.out());
        assertEquals(2, CliRun.of("world", "train-gan", "--out", dir.toString(), "--images", dir.toString(), "--batch", "6").code());
        assertEquals(2, CliRun.of("world", "train-gan", "--out", dir.toString(), "--images", dir.toString(), "--resume").code());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
