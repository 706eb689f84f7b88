package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();

    @TempDir
    Path dir;

    static double maxAbsDiff(RawTensor a, RawTensor b) {
        assertArrayEquals(a.shape(), b.shape());
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    @Test
    void seedsWithTruncationReproduceTheReferenceImages() throws Exception {
        Path out = dir.resolve("img.png");
        Path tensor = dir.resolve("x.npy");
        Path latent = dir.resolve("w.npy");
        CliRun r = CliRun.of("generate", "--generator", G, "--seed", "0,1,2,3", "--truncation", "0.7",
                "--out", out.toString(), "--out-tensor", tensor.toString(), "--save-latent", latent.toString());
        assertEquals(0, r.code(), r.toString());
        for (int s = 0; s < 4; s++) {
            BufferedImage img = ImageIO.read(dir.resolve("img_" + s + ".png").toFile());
            assertEquals(32, img.getWidth());
        }
        // run_optimization.py's starting point: seeds 0..3 -> z -> truncated W+ -> image (fixture image_z_trunc07)
        assertTrue(maxAbsDiff(Npy.read(CliRun.fixture("stylegan2/image_z_trunc07.npy")), Npy.read(tensor)) <= 1e-4);
        assertTrue(maxAbsDiff(Npy.read(CliRun.fixture("stylegan2/image_z_trunc07_latent.npy")), Npy.read(latent)) <= 2e-5);

        // the saved W+ latent regenerates the same images
        Path again = dir.resolve("again.npy");
        CliRun r2 = CliRun.of("generate", "--generator", G, "--latent", latent.toString(), "--space", "w+",
                "--out", dir.resolve("again.png").toString(), "--out-tensor", again.toString());
        assertEquals(0, r2.code(), r2.toString());
        assertEquals(0.0, maxAbsDiff(Npy.read(tensor), Npy.read(again)), 1e-6);
    }

    @Test
    void latentFromPtFileInWPlus() throws Exception {
        Path tensor = dir.resolve("x.npy");
        Path wplus = CliRun.fixture("stylegan2/wplus.npy");
        CliRun r = CliRun.of("generate", "--generator", G, "--latent", wplus.toString(), "--space", "w+",
                "--out", dir.resolve("a.png").toString(), "--out-tensor", tensor.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(maxAbsDiff(Npy.read(CliRun.fixture("stylegan2/image_wplus.npy")), Npy.read(tensor)) <= 1e-4);
        assertTrue(Files.exists(dir.resolve("a_0.png")) && Files.exists(dir.resolve("a_1.png")));
    }

    @Test
    void noiseOptionChangesTheImage() throws Exception {
        RawTensor[] t = new RawTensor[3];
        String[] modes = {"const", "zero", "random"};
        for (int i = 0; i < 3; i++) {
            Path x = dir.resolve(modes[i] + ".npy");
            CliRun r = CliRun.of("generate", "--generator", G, "--seed", "7", "--noise", modes[i],
                    "--out", dir.resolve(modes[i] + ".png").toString(), "--out-tensor", x.toString());
            assertEquals(0, r.code(), r.toString());
            t[i] = Npy.read(x);
        }
        assertTrue(maxAbsDiff(t[0], t[1]) > 1e-3);
        assertTrue(maxAbsDiff(t[0], t[2]) > 1e-3);
    }

    @Test
    void provenanceIsInThePng() throws Exception {
        Path out = dir.resolve("p.png");
        assertEquals(0, CliRun.of("generate", "--generator", G, "--seed", "3", "--out", out.toString()).code());
        String bytes = new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("tEXtstyleclip") && bytes.contains("\"seeds\":[3]") && bytes.contains("generator_sha256"), "no provenance chunk");
    }

    @Test
    void badUsageExitsTwo() {
        CliRun r = CliRun.of("generate", "--generator", G, "--out", dir.resolve("x.png").toString());
        assertEquals(2, r.code(), r.toString()); // neither --seed nor --latent
        assertEquals(2, CliRun.of("generate", "--generator", G, "--seed", "1", "--noise", "loud", "--out", "x.png").code());
        assertEquals(2, CliRun.of("generate", "--generator", G, "--seed", "1", "--truncation", "1.5", "--out", "x.png").code());
        assertEquals(2, CliRun.of("generate", "--bogus").code());
        assertEquals(2, CliRun.of().code());
    }

    @Test
    void failuresExitOneWithOneLineAndNoOutput() throws Exception {
        Path out = dir.resolve("none.png");
        CliRun missing = CliRun.of("generate", "--generator", dir.resolve("nope.pt").toString(), "--seed", "1", "--out", out.toString());
        assertEquals(1, missing.code(), missing.toString());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.pt"));

        Path cut = dir.resolve("cut.pt");
        byte[] all = Files.readAllBytes(Path.of(G));
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        CliRun truncated = CliRun.of("generate", "--generator", cut.toString(), "--seed", "1", "--out", out.toString());
        assertEquals(1, truncated.code(), truncated.toString());
        assertTrue(truncated.err().startsWith("error: cut.pt"), truncated.err());
        assertFalse(truncated.err().contains("\tat "), "no stack trace without --verbose");

        CliRun wrongFamily = CliRun.of("generate", "--generator", CliRun.fixture("arcface/tiny_ir_se.pth").toString(),
                "--seed", "1", "--out", out.toString());
        assertEquals(1, wrongFamily.code(), wrongFamily.toString());
        assertTrue(wrongFamily.err().contains("not a StyleGAN2 generator"), wrongFamily.err());
        assertFalse(Files.exists(out), "nothing written on failure");
    }
}
