package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encoder train} on the tiny fixture generator (files, resume, refusals), and the encoder it writes used by
 * {@code invert --method encoder|encoder+optimize} and {@code edit --image}.
 */
class EncoderCommandTest {
    static final String G = InvertCommandTest.G;
    static final String CLIP = InvertCommandTest.CLIP;

    @TempDir
    Path dir;

    private Path picture() throws Exception {
        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) img.setRGB(x, y, (x * 3) << 24 | (x * 5) << 16 | (y * 6) << 8 | 90);
        Path p = dir.resolve("photo.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private Path train(String name, String... extra) {
        Path e = dir.resolve(name);
        try {
            Files.createDirectories(e.getParent());
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        List<String> args = new java.util.ArrayList<>(List.of("encoder", "train", "--generator", G, "--batch", "2", "--out", e.toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        return e;
    }

    @Test
    void trainingWritesTheEncoderAndItsStateAndResumesToTheSameFile() throws Exception {
        Path whole = train("whole/e.pt", "--steps", "4", "--every", "2");
        assertTrue(Files.isRegularFile(dir.resolve("whole/e.state.pt")));
        Path parted = train("parted/e.pt", "--steps", "2");
        CliRun more = CliRun.of("encoder", "train", "--generator", G, "--resume", "--steps", "4", "--out", parted.toString());
        assertEquals(0, more.code(), more.toString());
        assertTrue(more.out().contains("steps 2-4"), more.out());
        assertTrue(more.out().contains("finished 4 steps"), more.out());
        // the encoder files of the same name are the same bytes: the same weights, bit for bit
        assertEquals(Hashes.sha256(whole), Hashes.sha256(parted));

        CliRun again = CliRun.of("encoder", "train", "--generator", G, "--steps", "4", "--out", parted.toString());
        assertEquals(2, again.code(), again.toString());
        assertTrue(again.err().contains("exists: continue that run with --resume"), again.err());
        CliRun mixed = CliRun.of("encoder", "train", "--generator", G, "--resume", "--lr", "0.1", "--out", parted.toString());
        assertEquals(2, mixed.code(), mixed.toString());
        assertTrue(mixed.err().startsWith("error: --lr cannot be combined with --resume"), mixed.err());
        CliRun done = CliRun.of("encoder", "train", "--generator", G, "--resume", "--steps", "3", "--out", parted.toString());
        assertEquals(2, done.code(), done.toString());
        assertTrue(done.err().startsWith("error: --steps must be above the 4 steps"), done.err());
    }

    @Test
    void badOptionsAreUsageErrorsAndWriteNothing() {
        Path out = dir.resolve("never.pt");
        for (String[] c : List.of(new String[] {"--steps", "0"}, new String[] {"--lr", "nan"}, new String[] {"--batch", "0"},
                new String[] {"--mixing", "2"}, new String[] {"--real-batch", "2"}, new String[] {"--clip-feature-weight", "-1"})) {
            List<String> args = new java.util.ArrayList<>(List.of("encoder", "train", "--generator", G, "--out", out.toString()));
            args.addAll(List.of(c));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r);
            assertTrue(r.err().startsWith("error: " + c[0]), String.join(" ", c) + ": " + r.err());
        }
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("never.state.pt")));
    }

    @Test
    void theEncoderInvertsAndStartsAnEditOfAPicture() throws Exception {
        Path e = train("e.pt", "--steps", "2");
        Path photo = picture();
        Path one = dir.resolve("one");
        CliRun enc = CliRun.of("invert", "--generator", G, "--clip", CLIP, "--image", photo.toString(), "--method", "encoder",
                "--encoder", e.toString(), "--out", one.toString());
        assertEquals(0, enc.code(), enc.toString());
        JsonObject metrics = JsonParser.parseString(Files.readString(one.resolve("metrics.json"))).getAsJsonObject();
        assertEquals("encoder", metrics.get("method").getAsString());
        JsonObject prov = JsonParser.parseString(Files.readString(one.resolve("provenance.json"))).getAsJsonObject();
        assertEquals(Hashes.sha256(e), prov.get("encoder_sha256").getAsString());
        assertFalse(prov.has("steps"), "one forward pass: no optimization settings");
        assertEquals(List.of(1L, 8L, 64L), toList(Npy.read(one.resolve("latent.npy")).shape()));

        Path refined = dir.resolve("refined");
        CliRun both = CliRun.of("invert", "--generator", G, "--clip", CLIP, "--image", photo.toString(), "--encoder", e.toString(),
                "--steps", "3", "--out", refined.toString());
        assertEquals(0, both.code(), both.toString());
        JsonObject p2 = JsonParser.parseString(Files.readString(refined.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("encoder+optimize", p2.get("method").getAsString(), "an --encoder makes encoder+optimize the default");
        assertEquals("w+", p2.get("space").getAsString());
        assertEquals(3, p2.get("steps").getAsInt());
        assertTrue(both.err().contains("invert photo.png 3/3"), both.err());

        Path edit = dir.resolve("edit");
        CliRun r = CliRun.of("edit", "--generator", G, "--clip", CLIP, "--image", photo.toString(), "--encoder", e.toString(),
                "--invert", "encoder", "--prompt", "a smiling face", "--id-lambda", "0", "--steps", "2", "--out", edit.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("(the picture, its reconstruction, the edit)"), r.out());
        BufferedImage strip = ImageIO.read(edit.resolve("before_after.png").toFile());
        assertEquals(3 * 32, strip.getWidth(), "the picture, its reconstruction and the edit");
        JsonObject ep = JsonParser.parseString(Files.readString(edit.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("encoder", ep.getAsJsonObject("inversion").get("method").getAsString());
        assertEquals(Hashes.sha256(photo), ep.getAsJsonObject("inversion").get("image_sha256").getAsString());

        // an encoder is for one generator's shape; an option of --image without it is a usage error
        CliRun wrong = CliRun.of("invert", "--generator", G, "--clip", CLIP, "--image", photo.toString(), "--encoder", G,
                "--out", dir.resolve("never").toString());
        assertEquals(1, wrong.code(), wrong.toString());
        assertTrue(wrong.err().startsWith("error: ") && wrong.err().contains("tiny_g32.pt"), wrong.err());
        CliRun stray = CliRun.of("edit", "--generator", G, "--clip", CLIP, "--seed", "1", "--encoder", e.toString(), "--prompt", "x",
                "--out", dir.resolve("never").toString());
        assertEquals(2, stray.code(), stray.toString());
        assertTrue(stray.err().startsWith("error: --invert and --encoder are for --image"), stray.err());
        CliRun two = CliRun.of("edit", "--generator", G, "--clip", CLIP, "--seed", "1", "--image", photo.toString(), "--prompt", "x",
                "--out", dir.resolve("never").toString());
        assertEquals(2, two.code(), two.toString());
        assertFalse(Files.exists(dir.resolve("never")));
    }

    private static List<Long> toList(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
