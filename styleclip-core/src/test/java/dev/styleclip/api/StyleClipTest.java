package dev.styleclip.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.EditResult;
import dev.styleclip.Latent;
import dev.styleclip.StyleClip;
import dev.styleclip.check.SettingException;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API on the tiny fixture models: loading, latents on the Java heap, one edit, its files, and refusals. */
class StyleClipTest {
    @TempDir
    Path dir;

    @Test
    void anOptimizationEditReturnsImagesALatentAndProvenanceAndSavesThem() throws Exception {
        try (StyleClip sc = StyleClip.open(Fixtures.path("stylegan2/tiny_g32.pt"), Fixtures.path("clip/tiny_clip_jit.pt"))) {
            assertFalse(sc.bundledGenerator(), "a fixture is not the bundled generator");
            assertEquals(OptimizationPreset.PUBLISHED, sc.optimizationPreset());
            Latent start = sc.seed(3);
            assertArrayEquals(new long[] {1, 8, 64}, start.shape());
            assertEquals(Map.of("seed", 3L, "truncation", 0.7), Map.of("seed", start.origin().get("seed"), "truncation", start.origin().get("truncation")));
            var settings = new LatentOptimization.Settings("a person with purple hair", OptimizationMode.EDIT, OptimizationSpace.W_PLUS,
                    12, 0.1, 0.008, 0);
            EditResult r = sc.optimize(start, settings, null);
            assertEquals("optimize", r.method());
            assertEquals(32, r.before().getWidth());
            assertEquals(32, r.after().getHeight());
            assertArrayEquals(new long[] {1, 8, 64}, r.latent().shape());
            assertTrue((Double) r.provenance().get("clip_loss_last") < (Double) r.provenance().get("clip_loss_first"), r.provenance().toString());

            r.save(dir.resolve("out"));
            JsonObject prov = JsonParser.parseString(Files.readString(dir.resolve("out/provenance.json"))).getAsJsonObject();
            assertEquals("a person with purple hair", prov.get("prompt").getAsString());
            assertEquals(3, prov.get("seed").getAsLong());
            assertEquals(12, prov.get("steps").getAsInt());
            RawTensor saved = Npy.read(dir.resolve("out/latent.npy"));
            assertArrayEquals(r.latent().values(), saved.toFloatArray());

            // the saved latent is a start again, and its image is the edit's
            Latent again = sc.readLatent(dir.resolve("out/latent.npy"), LatentSpace.W_PLUS);
            assertArrayEquals(r.latent().values(), again.values());
            assertEquals(r.after().getRGB(5, 7), sc.images(again).get(0).getRGB(5, 7));
        }
    }

    @Test
    void badSettingsAndInputsAreRefusedByName() throws Exception {
        SettingException lr = assertThrows(SettingException.class, () -> new LatentOptimization.Settings("x", OptimizationMode.EDIT,
                OptimizationSpace.W_PLUS, 10, Double.NaN, 0.008, 0));
        assertEquals("lr", lr.setting());
        assertEquals("--lr must lie in (0, 10], not NaN", lr.withName("--lr"));
        assertEquals("steps", assertThrows(SettingException.class, () -> new LatentOptimization.Settings("x", OptimizationMode.EDIT,
                OptimizationSpace.W_PLUS, 0, 0.1, 0.008, 0)).setting());
        try (StyleClip sc = StyleClip.open(Fixtures.path("stylegan2/tiny_g32.pt"), Fixtures.path("clip/tiny_clip_jit.pt"))) {
            assertEquals("truncation", assertThrows(SettingException.class, () -> sc.seed(1, Double.POSITIVE_INFINITY)).setting());
            float[] v = new float[8 * 64];
            v[3] = Float.NaN;
            Path nan = dir.resolve("nan.npy");
            Npy.write(nan, RawTensor.ofFloats(v, 1, 8, 64));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sc.readLatent(nan, LatentSpace.W_PLUS));
            assertTrue(e.getMessage().startsWith("nan.npy holds 1 non-finite value"), e.getMessage());
            assertEquals("mapper", assertThrows(SettingException.class, () -> sc.mapper(sc.seed(1), "smiling")).setting(),
                    "no bundled mapper for models that are not the bundled set");
            assertEquals("id-lambda", assertThrows(SettingException.class, () -> sc.optimize(sc.seed(1),
                    new LatentOptimization.Settings("x", OptimizationMode.EDIT, OptimizationSpace.W_PLUS, 2, 0.1, 0.008, 0.005), null)).setting());
        }
    }
}
