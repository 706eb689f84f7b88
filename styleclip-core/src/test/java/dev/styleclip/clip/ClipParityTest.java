package dev.styleclip.clip;

import static dev.styleclip.clip.ClipGolden.check;
import static dev.styleclip.clip.ClipGolden.intRows;
import static dev.styleclip.clip.ClipGolden.kase;
import static dev.styleclip.clip.ClipGolden.tokens;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every model case of fixtures/clip/manifest.json (openai/CLIP on the tiny ViT, tiny_clip_jit.pt), at the
 * manifest's tolerances, read from the manifest itself so the two cannot drift apart.
 */
class ClipParityTest {
    static ClipModel model;
    static final JsonObject manifest = ClipGolden.MANIFEST;

    @BeforeAll
    static void load() throws IOException {
        model = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void configurationIsInferredAsBuildModelDoes() {
        ClipConfig c = model.config();
        assertEquals(new ClipConfig(32, 224, 2, 128, 32, 77, 49408, 64, 1, 2), c);
        JsonObject derived = manifest.getAsJsonObject("model").getAsJsonObject("build_model_derived");
        assertEquals(derived.get("vision_heads").getAsInt(), c.visionHeads());
        assertEquals(derived.get("transformer_heads").getAsInt(), c.transformerHeads());
        assertEquals(derived.get("grid").getAsInt(), c.grid());
        double scale = manifest.getAsJsonObject("model").getAsJsonObject("perturbation").get("exp_logit_scale").getAsDouble();
        assertEquals(scale, model.logitScaleExp(), 1e-5);
    }

    @Test
    void fp16RoundTripCoversExactlyWhatConvertWeightsConverts() {
        List<String> expected = new ArrayList<>();
        for (JsonElement e : manifest.getAsJsonObject("model").getAsJsonArray("fp16_tensors")) expected.add(e.getAsString());
        List<String> ours = new ArrayList<>(model.fp16RoundTripKeys());
        ours.sort(null);
        expected.sort(null);
        assertEquals(expected, ours);
    }

    @Test
    void encodeImage() {
        check("encode_image", "image_features", model.encodeImage(tensor("clip/encode_image.x.npy")));
    }

    @Test
    void encodeText() {
        check("encode_text", "text_features", model.encodeText(tokens("encode_text.tokens.npy")));
    }

    @Test
    void encodeTextFromIntArraysEqualsTensorPath() {
        Tensor t = tokens("encode_text.tokens.npy");
        assertEquals(0.0, Tensors.maxAbsDiff(model.encodeText(t), model.encodeText(intRows(t))));
    }

    @Test
    void encodeTextEdgeCasesPoolAtTheFirstEndToken() {
        Tensor t = tokens("encode_text_edge.tokens.npy");
        long[] expected = new long[3];
        JsonArray pos = kase("encode_text_edge").getAsJsonArray("pooled_positions_argmax");
        for (int i = 0; i < 3; i++) expected[i] = pos.get(i).getAsLong();
        assertArrayEquals(expected, Tensors.toLongArray(ClipModel.poolPositions(t.to(ScalarType.Long))));
        check("encode_text_edge", "text_features", model.encodeText(t));
    }

    @Test
    void logits() {
        ClipModel.Logits l = model.forward(tensor("clip/encode_image.x.npy"), tokens("encode_text.tokens.npy"));
        check("logits", "logits_per_image", l.perImage());
        check("logits", "logits_per_text", l.perText());
    }

    @Test
    void cosineSimilarityGradientFlowsToTheImage() {
        Tensor x = tensor("clip/encode_image.x.npy");
        x.set_requires_grad(true);
        Tensor t = tensor("clip/cosine_grad.text_embedding.npy");
        Tensor sim = ClipOps.l2Normalize(model.encodeImage(x)).matmul(ClipOps.l2Normalize(t).t()); // [2, 1]
        sim.sum().backward();
        check("cosine_grad", "sim", sim);
        check("cosine_grad", "grad_x", x.grad());
    }

    @Test
    void tokenizerGivesTheFixtureTokens() {
        List<String> prompts = new ArrayList<>();
        for (JsonElement e : kase("encode_text").getAsJsonObject("inputs").getAsJsonArray("prompts")) prompts.add(e.getAsString());
        assertEquals(List.of("Mohawk hairstyle", "Without makeup", "Cute cat", "Lion"), prompts);
        int[][] ours = ClipTokenizer.load().tokenize(prompts, TruncationPolicy.ERROR);
        int[][] golden = intRows(tokens("encode_text.tokens.npy"));
        assertEquals(golden.length, ours.length);
        for (int i = 0; i < golden.length; i++) assertArrayEquals(golden[i], ours[i], prompts.get(i));
    }

    @Test
    void torchScriptArchiveAndStateDictGiveIdenticalEmbeddings() throws IOException {
        Tensor x = tensor("clip/encode_image.x.npy");
        Tensor t = tokens("encode_text.tokens.npy");
        try (ClipModel sd = ClipModel.load(Fixtures.path("clip/tiny_clip_state_dict.pt"))) {
            assertEquals(model.config(), sd.config());
            assertEquals(0.0, Tensors.maxAbsDiff(model.encodeImage(x), sd.encodeImage(x)));
            assertEquals(0.0, Tensors.maxAbsDiff(model.encodeText(t), sd.encodeText(t)));
            assertEquals(model.logitScaleExp(), sd.logitScaleExp());
        }
    }
}
