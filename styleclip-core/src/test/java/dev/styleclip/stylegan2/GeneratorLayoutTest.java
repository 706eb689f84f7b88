package dev.styleclip.stylegan2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The real FFHQ 1024 and 256 key listings map onto the model with nothing missing or unexpected. */
class GeneratorLayoutTest {

    static Map<String, long[]> shapes(JsonObject listing) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (JsonElement e : listing.getAsJsonArray("state_dict")) {
            JsonArray row = e.getAsJsonArray();
            JsonArray dims = row.get(1).getAsJsonArray();
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) s[i] = dims.get(i).getAsLong();
            out.put(row.get(0).getAsString(), s);
        }
        return out;
    }

    private static void checkListing(String file) throws CheckpointException {
        JsonObject listing = Fixtures.json("stylegan2/" + file);
        Map<String, long[]> shapes = shapes(listing);
        assertEquals(listing.get("num_tensors").getAsInt(), shapes.size());
        StateDict sd = StateDict.ofShapes(file, shapes);
        try (Generator g = Generator.fromStateDict(sd, torch.zeros(listing.get("style_dim").getAsLong()), file)) {
            GeneratorConfig c = g.config();
            assertEquals(listing.get("size").getAsInt(), c.size());
            assertEquals(listing.get("n_latent").getAsInt(), c.nLatent());
            assertEquals(listing.get("n_mlp").getAsInt(), c.nMlp());
            JsonObject table = listing.getAsJsonObject("channel_table");
            for (String res : table.keySet()) assertEquals(table.get(res).getAsInt(), c.channels().get(Integer.parseInt(res)), "channels at " + res);
            JsonArray layout = listing.getAsJsonArray("s_layout");
            assertEquals(layout.size(), g.styleLayout().size());
            for (int i = 0; i < layout.size(); i++) {
                JsonObject l = layout.get(i).getAsJsonObject();
                StyleLayer ours = g.styleLayout().get(i);
                assertEquals(l.get("name").getAsString(), ours.name());
                assertEquals(l.get("channels").getAsInt(), ours.channels());
                assertEquals(l.get("is_torgb").getAsBoolean(), ours.toRgb());
                assertEquals(l.get("w_plus_index_used").getAsInt(), ours.wRow());
            }
        }
    }

    @Test
    void ffhq1024() throws CheckpointException {
        checkListing("ffhq1024_state_dict_keys.json");
    }

    @Test
    void generator256() throws CheckpointException {
        checkListing("g256_state_dict_keys.json");
    }

    @Test
    void missingAndUnexpectedKeysAreAllListed() {
        Engine.init();
        Map<String, long[]> shapes = shapes(Fixtures.json("stylegan2/g256_state_dict_keys.json"));
        shapes.remove("convs.3.noise.weight");
        shapes.remove("to_rgbs.2.bias");
        shapes.put("extra.thing", new long[] {3});
        shapes.put("convs.0.activate.bias", new long[] {7});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Generator.fromStateDict(StateDict.ofShapes("g.pt", shapes), torch.zeros(512), "g.pt").close());
        String m = e.getMessage();
        assertTrue(m.contains("missing keys (2)") && m.contains("convs.3.noise.weight") && m.contains("to_rgbs.2.bias"), m);
        assertTrue(m.contains("unexpected keys (1) extra.thing"), m);
        assertTrue(m.contains("convs.0.activate.bias: file has [7]"), m);
    }

    @Test
    void fileWithoutLatentAvgUsesTheSeededMean() throws Exception {
        // a bare g_ema state dict, as in a file that has no latent_avg
        var ckpt = dev.styleclip.io.CheckpointReader.read(Fixtures.path("stylegan2/tiny_g32.pt"));
        var tensors = dev.styleclip.io.Checkpoint.tensors(((Map<?, ?>) ckpt.root()).get("g_ema"));
        try (Generator g = Generator.fromStateDict(StateDict.of("bare", tensors), null, "bare")) {
            assertTrue(!g.latentAvgFromFile());
            // seed 1001 draws the fixture's z, so the fallback equals the reference's mean_latent(4096)
            Fixtures.assertClose("fallback mean", Fixtures.tensor("stylegan2/mean_latent.npy"), g.latentAvg(), 1e-5);
        }
    }

    @Test
    void rosinalityTrainingCheckpointUsesGEma(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var ckpt = dev.styleclip.io.CheckpointReader.read(Fixtures.path("stylegan2/tiny_g32.pt"));
        Object gEma = ((Map<?, ?>) ckpt.root()).get("g_ema");
        // 'g' (the non-averaged generator) gets other weights: loading must not pick it
        Map<String, Object> g = new LinkedHashMap<>();
        dev.styleclip.io.Checkpoint.tensors(gEma).forEach((k, t) -> {
            float[] v = t.read().toFloatArray();
            for (int i = 0; i < v.length; i++) v[i] = -v[i];
            g.put(k, dev.styleclip.io.RawTensor.ofFloats(v, t.shape()));
        });
        Map<String, Object> optim = new LinkedHashMap<>();
        optim.put("state", new LinkedHashMap<>());
        optim.put("param_groups", java.util.List.of(Map.of("lr", 0.002, "betas", new Object[] {0.0, 0.99})));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("g", new dev.styleclip.io.TorchWriter.OrderedDict(g));
        root.put("d", new dev.styleclip.io.TorchWriter.OrderedDict(Map.of("convs.0.0.weight", dev.styleclip.io.RawTensor.ofFloats(new float[] {1, 2}, 2))));
        root.put("g_ema", gEma);
        root.put("g_optim", optim);
        root.put("d_optim", optim);
        root.put("ada_aug_p", 0.0);
        java.nio.file.Path file = dir.resolve("030000.pt");
        dev.styleclip.io.TorchWriter.writeZip(file, root);
        try (Generator trained = Generator.load(file); Generator reference = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"))) {
            assertTrue(!trained.latentAvgFromFile(), "a training checkpoint has no latent_avg");
            Tensor wp = Fixtures.tensor("stylegan2/wplus.npy");
            Fixtures.assertClose("g_ema image", reference.synthesize(wp, NoiseMode.CONST), trained.synthesize(wp, NoiseMode.CONST), 0);
        }
        var inspection = dev.styleclip.inspect.Inspection.of(file);
        assertTrue(inspection.details().stream().anyMatch(d -> d.contains("training checkpoint (g_ema used)")), inspection.details().toString());
    }

    @Test
    void fallbackMeanLatentUsesTheDocumentedSeededDraw() {
        Engine.init();
        // libtorch's generator reproduces PyTorch's: seed 1001 draws the fixture's 4096 z.
        torch.manual_seed(Generator.MEAN_LATENT_SEED);
        Tensor z = torch.randn(4096, 64);
        Fixtures.assertClose("z4096", Fixtures.tensor("stylegan2/mean_latent_z4096.npy"), z, 0);
        assertEquals(4096, Tensors.toFloatArray(z).length / 64);
    }
}
