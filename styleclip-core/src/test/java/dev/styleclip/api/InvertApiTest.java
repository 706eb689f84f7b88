package dev.styleclip.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.InversionResult;
import dev.styleclip.StyleClip;
import dev.styleclip.check.SettingException;
import dev.styleclip.image.Images;
import dev.styleclip.invert.InversionLoss;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.InversionSettings;
import dev.styleclip.invert.InversionSpace;
import dev.styleclip.invert.Projector;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StyleClip.invert on the tiny fixture models: the result on the Java heap, its files, and what it refuses. */
class InvertApiTest {
    @TempDir
    Path dir;

    @Test
    void aPictureBecomesALatentWhoseFilesReproduceTheReconstruction() throws Exception {
        try (StyleClip sc = StyleClip.open(Fixtures.path("stylegan2/tiny_g32.pt"), Fixtures.path("clip/tiny_clip_jit.pt"))) {
            assertEquals(InversionPreset.PUBLISHED, sc.inversionPreset());
            Path picture = dir.resolve("face.png");
            BufferedImage sample = sc.images(sc.seed(5)).get(0);
            Images.write(picture, sample, Map.of());
            // pixel losses (the tiny CLIP's features mean nothing); 40 steps: the plumbing, not the quality (ProjectorTest)
            var settings = InversionSettings.optimize(Projector.Settings.of(InversionSpace.W, 40, 0.1, new InversionLoss.Weights(1, 1, 0, 0)));
            List<Integer> steps = new ArrayList<>();
            InversionResult r = sc.invert(picture, settings, (losses, image, latent) -> steps.add(losses.step()));
            assertEquals(40, steps.size());
            assertEquals("optimize", r.method());
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) assertEquals(sample.getRGB(x, y), r.input().getRGB(x, y));
            assertEquals(32, r.reconstruction().getWidth());
            assertArrayEquals(new long[] {1, 8, 64}, r.latent().shape());
            assertEquals(picture.toString(), r.latent().origin().get("image"));
            assertEquals(Hashes.sha256(picture), r.latent().origin().get("image_sha256"));
            assertTrue(r.metrics().psnr() > 8 && Double.isFinite(r.metrics().psnr()), r.metrics().toString());
            assertTrue(r.metrics().ssim() > 0 && r.metrics().ssim() < 1, r.metrics().toString());
            assertTrue(r.metrics().clipFeatureDistance() > 0 && r.metrics().seconds() > 0, r.metrics().toString());
            assertTrue((Double) r.provenance().get("loss_last") < (Double) r.provenance().get("loss_first"), r.provenance().toString());
            assertEquals(7, r.noise().size());

            Path out = dir.resolve("out");
            r.save(out);
            try (var files = Files.list(out)) {
                assertEquals(List.of("latent.npy", "metrics.json", "noise.npz", "provenance.json", "reconstruction.png", "side_by_side.png"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
            assertEquals("optimize", metrics.get("method").getAsString());
            assertEquals(r.metrics().psnr(), metrics.get("psnr_db").getAsDouble(), 1e-9);
            assertEquals(r.metrics().ssim(), metrics.get("ssim").getAsDouble(), 1e-9);
            JsonObject prov = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
            assertEquals("styleclip invert", prov.get("tool").getAsString());
            assertEquals("w", prov.get("space").getAsString());
            assertEquals(40, prov.get("steps").getAsInt());
            assertEquals(Hashes.sha256(picture), prov.get("image_sha256").getAsString());
            assertEquals(64, prov.get("generator_sha256").getAsString().length());
            assertEquals(64, ImageIO.read(out.resolve("side_by_side.png").toFile()).getWidth());

            // latent.npy and noise.npz make reconstruction.png again
            RawTensor latent = Npy.read(out.resolve("latent.npy"));
            Map<String, RawTensor> noise = Npy.readNpz(out.resolve("noise.npz"));
            assertEquals(List.of("noise_0", "noise_1", "noise_2", "noise_3", "noise_4", "noise_5", "noise_6"), List.copyOf(noise.keySet()));
            assertArrayEquals(new long[] {1, 1, 32, 32}, noise.get("noise_6").shape());
            BufferedImage png = ImageIO.read(out.resolve("reconstruction.png").toFile());
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                List<Tensor> maps = new ArrayList<>();
                for (RawTensor n : noise.values()) maps.add(Tensors.fromRaw(n));
                BufferedImage again = Images.toImage(sc.generator().synthesize(Tensors.fromRaw(latent), maps), 0);
                for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) assertEquals(png.getRGB(x, y), again.getRGB(x, y));
            }
        }
    }

    @Test
    void refusals() throws Exception {
        try (StyleClip sc = StyleClip.open(Fixtures.path("stylegan2/tiny_g32.pt"), Fixtures.path("clip/tiny_clip_jit.pt"))) {
            Path text = Files.writeString(dir.resolve("photo.txt"), "hello");
            IOException e = assertThrows(IOException.class, () -> sc.invert(text));
            assertEquals("photo.txt is not an image ImageIO can read (PNG, JPEG, BMP, GIF)", e.getMessage());
            Path picture = dir.resolve("face.png");
            Images.write(picture, sc.images(sc.seed(1)).get(0), Map.of());
            var withId = InversionSettings.optimize(Projector.Settings.of(InversionSpace.W, 5, 0.1, new InversionLoss.Weights(1, 0, 0, 0.1)));
            assertEquals("id-lambda", assertThrows(SettingException.class, () -> sc.invert(picture, withId, null)).setting());
        }
    }
}
