package dev.styleclip.arcface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Configuration inference and strict loading: the real IR-SE50 key list, the tiny fixture, wrong files. */
class IrSeLayoutTest {

    static Map<String, long[]> shapes(JsonObject listing) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (JsonElement e : listing.getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            JsonArray dims = t.getAsJsonArray("shape");
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) s[i] = dims.get(i).getAsLong();
            out.put(t.get("key").getAsString(), s);
        }
        return out;
    }

    /** The units as the reference documents them ({@code unit_layout}: in_channel, depth, stride). */
    static void assertUnits(JsonArray layout, List<IrSeConfig.Unit> units) {
        assertEquals(layout.size(), units.size(), "units");
        for (int i = 0; i < layout.size(); i++) {
            JsonObject u = layout.get(i).getAsJsonObject();
            IrSeConfig.Unit expected = new IrSeConfig.Unit(u.get("in_channel").getAsInt(), u.get("depth").getAsInt(),
                    u.get("stride").getAsInt());
            assertEquals(expected, units.get(i), "body." + i);
            assertEquals(u.get("shortcut").getAsString().startsWith("Conv2d"), units.get(i).convShortcut(), "body." + i);
        }
    }

    @Test
    void realIrSe50KeyListMapsOntoTheModel() throws CheckpointException {
        JsonObject listing = Fixtures.json("arcface/keys_ir_se50.json");
        Map<String, long[]> shapes = shapes(listing);
        assertEquals(listing.get("n_tensors").getAsInt(), shapes.size());
        Engine.init();
        try (Backbone net = Backbone.fromStateDict(StateDict.ofShapes("keys_ir_se50.json", shapes), "keys_ir_se50.json")) {
            IrSeConfig c = net.config();
            assertEquals(24, c.units().size());
            assertEquals(64, c.stemWidth());
            assertEquals(512, c.outChannels());
            assertEquals(512, c.embeddingSize());
            assertUnits(listing.getAsJsonArray("unit_layout"), c.units());
            assertEquals(IrSeConfig.irSe50(), c);
        }
    }

    @Test
    void tinyFixtureConfigurationIsInferred() throws IOException {
        JsonObject manifest = Fixtures.json("arcface/manifest.json");
        try (Backbone net = Backbone.load(Fixtures.path("arcface/tiny_ir_se.pth"))) {
            IrSeConfig c = net.config();
            assertEquals(32, c.stemWidth());
            assertEquals(96, c.outChannels());
            assertEquals(48, c.embeddingSize());
            assertUnits(manifest.getAsJsonObject("model").getAsJsonArray("unit_layout"), c.units());
        }
    }

    private static Map<String, TensorRef> tinyTensors() throws IOException {
        Checkpoint ckpt = CheckpointReader.read(Fixtures.path("arcface/tiny_ir_se.pth"));
        return new LinkedHashMap<>(Checkpoint.tensors(ckpt.rootMap()));
    }

    @Test
    void checkpointWithoutNumBatchesTrackedLoadsAndGivesTheSameEmbedding() throws IOException {
        Map<String, TensorRef> tensors = tinyTensors();
        int before = tensors.size();
        tensors.keySet().removeIf(k -> k.endsWith(".num_batches_tracked"));
        assertTrue(tensors.size() < before, "the fixture has num_batches_tracked entries");
        Tensor x = Fixtures.tensor("arcface/embedding.x.npy");
        try (Backbone old = Backbone.fromStateDict(StateDict.of("old.pth", tensors), "old.pth")) {
            Fixtures.assertClose("embedding", Fixtures.tensor("arcface/embedding.embedding.npy"), old.forward(x), 4e-6);
        }
    }

    @Test
    void missingWrongAndUnexpectedKeysAreAllListed() throws IOException {
        Map<String, TensorRef> tensors = tinyTensors();
        tensors.remove("body.2.res_layer.5.fc2.weight");
        tensors.put("body.1.res_layer.2.weight", tensors.get("body.0.res_layer.2.weight")); // [32] where [48] is needed
        tensors.put("body.4.extra", tensors.get("body.0.res_layer.2.weight"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Backbone.fromStateDict(StateDict.of("bad.pth", tensors), "bad.pth").close());
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.pth: does not match a IR-SE backbone"), m);
        assertTrue(m.contains("missing keys (1) body.2.res_layer.5.fc2.weight"), m);
        assertTrue(m.contains("body.1.res_layer.2.weight: file has [32], model needs [48]"), m);
        assertTrue(m.contains("unexpected keys (1) body.4.extra"), m);
    }

    @Test
    void generatorCheckpointIsRejectedWithAReason() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Backbone.load(Fixtures.path("stylegan2/tiny_g32.pt")).close());
        assertTrue(e.getMessage().startsWith("tiny_g32.pt: not an IR-SE (ArcFace) backbone state dict"), e.getMessage());
        assertTrue(e.getMessage().contains("input_layer.0.weight"), e.getMessage());
    }

    @Test
    void aConvShortcutOnAnEqualWidthUnitIsRejected() throws IOException {
        Map<String, TensorRef> tensors = tinyTensors();
        tensors.put("body.2.shortcut_layer.0.weight", tensors.get("body.1.shortcut_layer.0.weight"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> IrSeConfig.infer(StateDict.of("odd.pth", tensors), "odd.pth"));
        assertTrue(e.getMessage().contains("body.2 (48->48) has a conv shortcut"), e.getMessage());
    }

    @Test
    void wrongInputShapeIsRejected() throws IOException {
        try (Backbone net = Backbone.load(Fixtures.path("arcface/tiny_ir_se.pth"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.forward(torch.zeros(1, 3, 128, 128)));
            assertTrue(e.getMessage().contains("face input has shape [1, 3, 128, 128], expected [*, 3, 112, 112]"), e.getMessage());
        }
    }
}
