package dev.styleclip.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The real OpenAI checkpoints' key listings (fixtures/clip/keys_*.json, no weights) map onto the model with no
 * missing or unexpected key; the hyper-parameters inferred are build_model's; RN50 is refused by name.
 */
class ClipLayoutTest {

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

    private static void checkListing(String file, int visionHeads, int textHeads) throws CheckpointException {
        JsonObject listing = Fixtures.json("clip/" + file);
        Map<String, long[]> shapes = shapes(listing);
        assertEquals(listing.get("n_tensors").getAsInt(), shapes.size());
        java.util.List<String> stateDictOrder = new java.util.ArrayList<>(shapes.keySet());
        // The official TorchScript archives also hold these three 0-dim buffers; the loader must accept them.
        for (String k : ClipModel.JIT_ARCHIVE_BUFFERS) shapes.put(k, new long[0]);
        try (ClipModel m = ClipModel.fromStateDict(StateDict.ofShapes(file, shapes), file)) {
            // the modules take their parameters in state_dict order (what a trainable model's masters follow)
            assertEquals(stateDictOrder, new java.util.ArrayList<>(m.parameters().keySet()));
            ClipConfig c = m.config();
            JsonObject hp = listing.getAsJsonObject("hyper_parameters");
            assertEquals(hp.get("embed_dim").getAsInt(), c.embedDim());
            assertEquals(hp.get("image_resolution").getAsInt(), c.imageResolution());
            assertEquals(hp.get("vision_layers").getAsInt(), c.visionLayers());
            assertEquals(hp.get("vision_width").getAsInt(), c.visionWidth());
            assertEquals(hp.get("vision_patch_size").getAsInt(), c.visionPatchSize());
            assertEquals(hp.get("context_length").getAsInt(), c.contextLength());
            assertEquals(hp.get("vocab_size").getAsInt(), c.vocabSize());
            assertEquals(hp.get("transformer_width").getAsInt(), c.transformerWidth());
            assertEquals(hp.get("transformer_heads").getAsInt(), c.transformerHeads());
            assertEquals(hp.get("transformer_layers").getAsInt(), c.transformerLayers());
            JsonObject derived = listing.getAsJsonObject("build_model_derived");
            assertEquals(derived.get("vision_heads").getAsInt(), c.visionHeads());
            assertEquals(visionHeads, c.visionHeads());
            assertEquals(textHeads, c.transformerHeads());
            // The fp16 round trip covers exactly the tensors that convert_weights leaves in float16.
            Set<String> half = new TreeSet<>();
            for (JsonElement e : listing.getAsJsonArray("tensors")) {
                JsonObject t = e.getAsJsonObject();
                if (t.get("dtype_after_convert_weights").getAsString().equals("float16")) half.add(t.get("key").getAsString());
            }
            assertEquals(half, new TreeSet<>(m.fp16RoundTripKeys()));
        }
    }

    @Test
    void vitB32() throws CheckpointException {
        checkListing("keys_ViT-B-32.json", 12, 8);
    }

    @Test
    void vitB16() throws CheckpointException {
        checkListing("keys_ViT-B-16.json", 12, 8);
    }

    @Test
    void resNetImageEncoderIsRefusedByName() {
        Engine.init();
        Map<String, long[]> shapes = shapes(Fixtures.json("clip/keys_RN50.json"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipModel.fromStateDict(StateDict.ofShapes("RN50.pt", shapes), "RN50.pt").close());
        assertTrue(e.getMessage().contains("RN50") && e.getMessage().contains("not supported yet"), e.getMessage());
    }

    @Test
    void missingAndUnexpectedKeysAreAllListed() throws IOException {
        Engine.init();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Checkpoint.tensors(CheckpointReader.read(Fixtures.path("clip/tiny_clip_state_dict.pt")).root())
                .forEach((k, ref) -> shapes.put(k, ref.shape()));
        shapes.remove("visual.transformer.resblocks.1.ln_2.bias");
        shapes.remove("ln_final.bias");
        shapes.put("transformer.resblocks.0.attn.bias_k", new long[] {1, 1, 64});
        shapes.put("visual.ln_pre.bias", new long[] {64});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipModel.fromStateDict(StateDict.ofShapes("tiny.pt", shapes), "tiny.pt").close());
        String msg = e.getMessage();
        assertTrue(msg.contains("missing keys (2) visual.transformer.resblocks.1.ln_2.bias [128], ln_final.bias [64]"), msg);
        assertTrue(msg.contains("unexpected keys (1) transformer.resblocks.0.attn.bias_k"), msg);
        assertTrue(msg.contains("visual.ln_pre.bias: file has [64], model needs [128]"), msg);
    }

    @Test
    void textWidthBelow64HasNoHeadsAndIsRefused() {
        Engine.init();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("visual.proj", new long[] {128, 16});
        shapes.put("visual.conv1.weight", new long[] {128, 3, 32, 32});
        shapes.put("visual.positional_embedding", new long[] {50, 128});
        shapes.put("text_projection", new long[] {32, 16});
        shapes.put("positional_embedding", new long[] {77, 32});
        shapes.put("token_embedding.weight", new long[] {100, 32});
        shapes.put("ln_final.weight", new long[] {32});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipModel.fromStateDict(StateDict.ofShapes("w32.pt", shapes), "w32.pt").close());
        assertTrue(e.getMessage().contains("0 attention heads"), e.getMessage());
    }

    @Test
    void publicForwardsCheckShapesAndTypes() throws CheckpointException {
        ClipConfig tiny = new ClipConfig(16, 64, 1, 64, 32, 77, 1000, 64, 1, 1);
        try (ClipModel m = ClipModel.create(tiny, StateDict.random("tiny", 0), "tiny")) {
            assertEquals(2, m.encodeImage(torch.randn(2, 3, 64, 64)).size(0));
            assertThrows(IllegalArgumentException.class, () -> m.encodeImage(torch.randn(2, 3, 224, 224)));
            assertThrows(IllegalArgumentException.class, () -> m.encodeImage(torch.randn(3, 64, 64)));
            assertThrows(IllegalArgumentException.class, () -> m.encodeText(new int[][] {{1, 2, 3}}));
            assertThrows(IllegalArgumentException.class, () -> m.encodeText(torch.zeros(1, 77)));
            int[][] tooLarge = new int[1][77];
            tooLarge[0][0] = 1000;
            assertThrows(IllegalArgumentException.class, () -> m.encodeText(tooLarge));
        }
    }
}
