package dev.styleclip.edit.global;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dt.* cases of fixtures/global: template tokens, prompt features, template-averaged text features, dt. */
class TextDirectionParityTest {
    static ClipModel clip;
    static TextDirection text;

    @BeforeAll
    static void load() throws IOException {
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        text = new TextDirection(clip);
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    @Test
    void templatesAreTheReferences() {
        assertEquals(79, TextDirection.TEMPLATES.size());
        assertEquals("a bad photo of a {}.", TextDirection.TEMPLATES.get(0));
    }

    @Test
    void purpleHair() {
        check("purple_hair", "a face", "a face with purple hair", 3e-5, 7e-7, 5e-6);
    }

    @Test
    void blondeHair() {
        check("blonde_hair", "face with hair", "face with blonde hair", 3e-5, 8e-7, 3e-6);
    }

    private static void check(String name, String neutral, String target, double featTol, double textTol, double dtTol) {
        String p = "global/dt." + name + ".";
        float[] goldenTokens = Fixtures.npy(p + "tokens.npy").toFloatArray(); // [2 (target, neutral), 79, 77]
        List<String> prompts = List.of(target, neutral);
        Tensor prompt = tensor(p + "prompt_features.npy");
        Tensor features = tensor(p + "text_features.npy");
        for (int k = 0; k < 2; k++) {
            int[][] ours = text.tokens(prompts.get(k));
            float[] flat = new float[79 * 77];
            for (int t = 0; t < 79; t++) for (int i = 0; i < 77; i++) flat[t * 77 + i] = ours[t][i];
            float[] golden = java.util.Arrays.copyOfRange(goldenTokens, k * 79 * 77, (k + 1) * 79 * 77);
            assertArrayEquals(golden, flat, 0f, name + " tokens of " + prompts.get(k));
            try (NoGradGuard ng = new NoGradGuard()) {
                assertClose(name + " prompt features " + k, prompt.select(0, k), clip.encodeText(ours), featTol);
            }
            assertClose(name + " text features " + k, features.select(0, k), text.embedding(prompts.get(k)), textTol);
        }
        assertClose(name + " dt", tensor(p + "dt.npy"), text.direction(neutral, target), dtTol);
    }
}
