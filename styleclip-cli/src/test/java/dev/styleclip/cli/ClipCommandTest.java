package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipCommandTest {
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();
    static final String[] PROMPTS = {"Mohawk hairstyle", "Without makeup", "Cute cat", "Lion"};

    @TempDir
    Path dir;

    private static String[] with(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void tokenizeWritesTheReferenceIds() throws Exception {
        Path ids = dir.resolve("ids.npy");
        CliRun r = CliRun.of(with(with(new String[] {"clip", "tokenize", "--text"}, PROMPTS), "--out", ids.toString()));
        assertEquals(0, r.code(), r.toString());
        RawTensor golden = Npy.read(CliRun.fixture("clip/encode_text.tokens.npy"));
        RawTensor ours = Npy.read(ids);
        assertArrayEquals(golden.shape(), ours.shape());
        assertArrayEquals(golden.toFloatArray(), ours.toFloatArray(), 0f);
    }

    @Test
    void tokenizePrintsIdsAndRefusesOverlongTextUnlessTruncating() {
        CliRun r = CliRun.of("clip", "tokenize", "--text", "Lion");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().strip().startsWith("49406 ") && r.out().strip().endsWith(" 49407"), r.out());
        String longText = "a very long prompt ".repeat(30);
        CliRun tooLong = CliRun.of("clip", "tokenize", "--text", longText);
        assertEquals(2, tooLong.code(), tooLong.toString());
        assertTrue(tooLong.err().contains("a very long prompt") && tooLong.err().contains("--truncate"), tooLong.err());
        assertEquals(0, CliRun.of("clip", "tokenize", "--text", longText, "--truncate").code());
    }

    @Test
    void embedTextAndImageTensorMatchTheReference() throws Exception {
        Path text = dir.resolve("t.npy");
        CliRun r = CliRun.of(with(with(new String[] {"clip", "embed", "--clip", CLIP, "--text"}, PROMPTS), "--out", text.toString()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(GenerateCommandTest.maxAbsDiff(Npy.read(CliRun.fixture("clip/encode_text.text_features.npy")), Npy.read(text)) <= 2e-5);

        Path image = dir.resolve("i.npy");
        CliRun ri = CliRun.of("clip", "embed", "--clip", CLIP, "--image-tensor", CliRun.fixture("clip/encode_image.x.npy").toString(),
                "--out", image.toString());
        assertEquals(0, ri.code(), ri.toString());
        assertTrue(GenerateCommandTest.maxAbsDiff(Npy.read(CliRun.fixture("clip/encode_image.image_features.npy")), Npy.read(image)) <= 7e-6);

        Path unit = dir.resolve("u.npy");
        assertEquals(0, CliRun.of("clip", "embed", "--clip", CLIP, "--text", "Lion", "--normalize", "--out", unit.toString()).code());
        float[] u = Npy.read(unit).toFloatArray();
        double n = 0;
        for (float x : u) n += x * x;
        assertEquals(1.0, n, 1e-5);
    }

    @Test
    void scoreAnImageFile() {
        String img = CliRun.fixture("clip/preprocess_rgb_downscale.png").toString();
        CliRun r = CliRun.of("clip", "score", "--clip", CLIP, "--image", img, "--text", "Lion", "Cute cat");
        assertEquals(0, r.code(), r.toString());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("cosine=")).count(), r.out());
        assertTrue(r.out().contains("text=\"Cute cat\""), r.out());
    }

    @Test
    void badInputs() {
        assertEquals(2, CliRun.of("clip", "embed", "--clip", CLIP, "--out", "x.npy").code());
        CliRun notClip = CliRun.of("clip", "embed", "--clip", CliRun.fixture("stylegan2/tiny_g32.pt").toString(), "--text", "a", "--out",
                dir.resolve("x.npy").toString());
        assertEquals(1, notClip.code(), notClip.toString());
        CliRun notImage = CliRun.of("clip", "score", "--clip", CLIP, "--image", CliRun.fixture("clip/manifest.json").toString(), "--text", "a");
        assertEquals(1, notImage.code(), notImage.toString());
        assertTrue(notImage.err().contains("manifest.json"), notImage.err());
    }
}
