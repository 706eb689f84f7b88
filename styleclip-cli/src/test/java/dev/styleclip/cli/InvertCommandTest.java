package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.io.Npy;
import dev.styleclip.stop.Stop;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvertCommandTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();
    static final String ARC = CliRun.fixture("arcface/tiny_ir_se.pth").toString();

    @TempDir
    Path dir;

    /** A picture of another size and shape than the generator's: a 48 x 40 gradient. */
    private Path picture(String name) throws Exception {
        BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 48; x++) img.setRGB(x, y, (x * 5) << 16 | (y * 6) << 8 | 90);
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        ImageIO.write(img, name.endsWith(".jpg") ? "jpeg" : "png", p.toFile());
        return p;
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("invert", "--generator", G, "--clip", CLIP));
        all.addAll(Arrays.asList(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void onePictureWritesEveryFileAndItsFiguresParse() throws Exception {
        Path out = dir.resolve("out");
        CliRun r = run("--image", picture("photo.png").toString(), "--steps", "6", "--space", "w+", "--seed", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        for (String f : List.of("latent.npy", "noise.npz", "reconstruction.png", "side_by_side.png", "metrics.json", "provenance.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing; " + r);
        }
        assertTrue(r.out().startsWith("photo.png: PSNR "), r.out());
        assertTrue(r.err().contains("invert photo.png 6/6"), r.err());
        Map<?, ?> metrics = new Gson().fromJson(Files.readString(out.resolve("metrics.json")), Map.class);
        assertEquals("optimize", metrics.get("method"));
        double psnr = (Double) metrics.get("psnr_db");
        double ssim = (Double) metrics.get("ssim");
        assertTrue(psnr > 0 && psnr < 100, metrics.toString());
        assertTrue(ssim > -1 && ssim < 1, metrics.toString());
        assertTrue((Double) metrics.get("clip_feature_distance") >= 0 && (Double) metrics.get("seconds") > 0, metrics.toString());
        JsonObject prov = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("w+", prov.get("space").getAsString());
        assertEquals(6, prov.get("steps").getAsInt());
        assertEquals(3, prov.get("seed").getAsInt());
        assertEquals(0.0, prov.get("id_lambda").getAsDouble(), "no --arcface: no identity term");
        assertEquals(64, prov.get("image_sha256").getAsString().length());
        long[] shape = Npy.read(out.resolve("latent.npy")).shape();
        assertEquals(List.of(1L, 8L, 64L), List.of(shape[0], shape[1], shape[2]));
        assertEquals(7, Npy.readNpz(out.resolve("noise.npz")).size());
        BufferedImage side = ImageIO.read(out.resolve("side_by_side.png").toFile());
        assertEquals(64, side.getWidth());
        assertEquals(32, side.getHeight());

        // the latent is a start for an edit
        CliRun edit = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a smiling face",
                "--latent", out.resolve("latent.npy").toString(), "--steps", "2", "--save-every", "0", "--out", dir.resolve("edit").toString());
        assertEquals(0, edit.code(), edit.toString());
    }

    @Test
    void severalPicturesMakeASubfolderEachAndTheIdentityLossComesWithArcface() throws Exception {
        Path out = dir.resolve("many");
        CliRun r = run("--arcface", ARC, "--image", picture("a/face.png").toString(), picture("b/face.jpg").toString(),
                picture("Other Photo.png").toString(), "--steps", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        for (String sub : List.of("face", "face_2", "other_photo")) assertTrue(Files.isRegularFile(out.resolve(sub).resolve("latent.npy")), sub);
        assertEquals(3, r.out().lines().filter(l -> l.contains("wrote")).count(), r.out());
        JsonObject prov = JsonParser.parseString(Files.readString(out.resolve("face/provenance.json"))).getAsJsonObject();
        assertEquals(0.1, prov.get("id_lambda").getAsDouble(), "the published preset's identity weight with --arcface");
        assertEquals(64, prov.get("arcface_sha256").getAsString().length());
    }

    @Test
    void aFileThatIsNotAPictureFailsInOneLineBeforeAnythingIsWritten() throws Exception {
        Path text = Files.writeString(dir.resolve("photo.txt"), "not a picture");
        Path out = dir.resolve("never");
        CliRun r = run("--image", picture("good.png").toString(), text.toString(), "--steps", "2", "--out", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("error: photo.txt is not an image ImageIO can read (PNG, JPEG, BMP, GIF)", r.err().strip());
        assertFalse(Files.exists(out), "nothing may be created");
        CliRun missing = run("--image", dir.resolve("gone.png").toString(), "--out", out.toString());
        assertEquals(1, missing.code(), missing.toString());
        assertEquals("error: gone.png: no such file", missing.err().strip());
        assertFalse(Files.exists(out));
    }

    @Test
    void badNumbersAndMethodsWithoutAnEncoderAreUsageErrorsBeforeAnythingIsWritten() throws Exception {
        Path img = picture("p.png");
        Path out = dir.resolve("never");
        List<String[]> cases = List.of(new String[] {"--steps", "0"}, new String[] {"--lr", "NaN"}, new String[] {"--lr", "0"},
                new String[] {"--mse-lambda", "-1"}, new String[] {"--ssim-lambda", "inf"}, new String[] {"--clip-feature-lambda", "nan"},
                new String[] {"--noise-regularize", "-1"}, new String[] {"--space", "s"}, new String[] {"--method", "magic"},
                new String[] {"--id-lambda", "0.1"}, new String[] {"--mse-lambda", "0", "--ssim-lambda", "0", "--clip-feature-lambda", "0"});
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--image", img.toString(), "--out", out.toString()));
            args.addAll(List.of(c));
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r);
            assertTrue(r.err().startsWith("error: --" + c[c.length - 2].substring(2)) || r.err().startsWith("error: --mse-lambda"),
                    String.join(" ", c) + ": " + r.err());
        }
        for (String method : List.of("encoder", "encoder+optimize")) {
            CliRun r = run("--image", img.toString(), "--method", method, "--out", out.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().startsWith("error: --encoder must be given for " + method + " with this generator"), r.err());
        }
        CliRun both = run("--image", img.toString(), "--method", "optimize", "--encoder", img.toString(), "--out", out.toString());
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().startsWith("error: --encoder is for the methods encoder and encoder+optimize"), both.err());
        assertFalse(Files.exists(out), "nothing may be created");
    }

    @Test
    void aStopRequestExits130AndLeavesNothingOfThePicture() throws Exception {
        Path out = dir.resolve("stopped");
        Stop.requestAll("SIGINT");
        try {
            CliRun r = run("--image", picture("p.png").toString(), "--steps", "50", "--out", out.toString());
            assertEquals(130, r.code(), r.toString());
            assertTrue(r.err().contains("stopped (SIGINT)"), r.err());
        } finally {
            Stop.clearAll();
        }
        assertFalse(Files.exists(out));
    }
}
