package dev.styleclip.edit.global;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.npy;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.image.Images;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cases of fixtures/global that need no CLIP: statistics, fs3 from features, boundaries, edits, files. */
class GlobalDirectionsParityTest {
    static Generator g;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
    }

    static String f(String name) {
        return "global/" + name;
    }

    @Test
    void mappingWithTruncationCutoff() {
        Tensor wplus = StyleStats.truncatedWPlus(g, tensor(f("s_stats.z.npy")), StyleStats.PSI, StyleStats.CUTOFF);
        assertClose("W rows", tensor(f("published_format/W.npy")), wplus.select(1, 0), 3e-5);
    }

    @Test
    void styleStatistics() {
        Tensor codes = StyleStats.styleCodes(g, tensor(f("s_stats.z.npy")), 512);
        StyleStats stats = StyleStats.of(codes);
        assertClose("s_mean", tensor(f("s_stats.s_mean.npy")), stats.mean(), 6e-5);
        assertClose("s_std", tensor(f("s_stats.s_std.npy")), stats.std(), 6e-6);
        assertClose("s_first8", tensor(f("s_stats.s_first8.npy")), codes.narrow(0, 0, 8), 1e-5);
    }

    @Test
    void fs3FromFeatures() {
        assertClose("getfs", tensor(f("fs3.fs3.npy")), ChannelRelevance.fromFeatures(tensor(f("fs3.all_f.npy"))), 2e-4);
    }

    @Test
    void boundaries() {
        for (String prompt : new String[] {"purple_hair", "blonde_hair"}) {
            for (String beta : new String[] {"0.1", "0.15"}) {
                String p = "boundary." + prompt + ".b" + beta + ".";
                Boundary b = Boundary.of(tensor(f("fs3.fs3.npy")), tensor(f("dt." + prompt + ".dt.npy")), g.styleLayout(),
                        tensor(f("s_stats.s_std.npy")), Double.parseDouble(beta));
                double dsTol = prompt.equals("purple_hair") ? 8e-7 : 2e-6;
                assertClose(p + "projection", tensor(f(p + "projection.npy")), b.projection(), 6e-7);
                assertClose(p + "ds", tensor(f(p + "ds.npy")), b.deltaS(), dsTol);
                assertEquals((long) npy(f(p + "num_c.npy")).toFloatArray()[0], b.channels(), p);
                float[] rows = npy(f(p + "kept_rows.npy")).toFloatArray();
                long[] expected = new long[rows.length];
                for (int i = 0; i < rows.length; i++) expected[i] = (long) rows[i];
                assertArrayEquals(expected, b.keptRows(), p);
            }
        }
    }

    @Test
    void guiBeta() {
        Tensor fs3 = tensor(f("fs3.fs3.npy"));
        assertArrayEquals(npy(f("gui_beta.purple_hair.betas.npy")).toFloatArray(), toFloats(Boundary.guiBetas()), 0f);
        for (String prompt : new String[] {"purple_hair", "blonde_hair"}) {
            Tensor dt = tensor(f("dt." + prompt + ".dt.npy"));
            float[] counts = npy(f("gui_beta." + prompt + ".num_cs.npy")).toFloatArray();
            long[] ours = Boundary.guiChannelCounts(fs3, dt);
            for (int i = 0; i < counts.length; i++) assertEquals((long) counts[i], ours[i], prompt + " beta #" + i);
        }
        JsonCheck.beta(fs3, tensor(f("dt.purple_hair.dt.npy")), 20, 0.23);
        JsonCheck.beta(fs3, tensor(f("dt.purple_hair.dt.npy")), 100, 0.12);
        JsonCheck.beta(fs3, tensor(f("dt.blonde_hair.dt.npy")), 20, 0.15);
        JsonCheck.beta(fs3, tensor(f("dt.blonde_hair.dt.npy")), 100, 0.1);
    }

    @Test
    void editsFromWPlus() {
        for (String beta : new String[] {"0.1", "0.15"}) {
            String p = "edit.purple_hair.b" + beta + ".";
            Boundary b = Boundary.of(tensor(f("fs3.fs3.npy")), tensor(f("dt.purple_hair.dt.npy")), g.styleLayout(),
                    tensor(f("s_stats.s_std.npy")), Double.parseDouble(beta));
            try (NoGradGuard ng = new NoGradGuard()) {
                Tensor s = StyleCodes.flatten(g.styles(tensor(f("published_format/w_plus.npy"))));
                assertClose(p + "s_in", tensor(f(p + "s_in.npy")), s, 2e-5);
                Tensor golden = tensor(f(p + "codes.npy")); // [n, alpha, sumC]
                Tensor goldenImages = tensor(f(p + "images_float.npy"));
                Tensor goldenUint8 = tensor(f(p + "images_uint8.npy"));
                double[] alphas = {4.1, -3.0};
                for (int a = 0; a < alphas.length; a++) {
                    Tensor codes = StyleEdit.apply(s, b.deltaS(), alphas[a]);
                    assertClose(p + "codes alpha " + alphas[a], golden.select(1, a), codes, 2e-5);
                    Tensor img = g.synthesizeFromStyles(StyleCodes.unflatten(codes, g.styleLayout()), NoiseMode.CONST);
                    assertClose(p + "image alpha " + alphas[a], goldenImages.select(1, a), img, 5e-5);
                    assertClose(p + "uint8 alpha " + alphas[a], goldenUint8.select(1, a), Images.toUint8Nhwc(img), 1);
                }
                Tensor original = g.synthesizeFromStyles(StyleCodes.unflatten(s, g.styleLayout()), NoiseMode.CONST);
                assertClose(p + "original", tensor(f(p + "original_uint8.npy")), Images.toUint8Nhwc(original), 1);
            }
        }
    }

    @Test
    void publishedFilesReadAsTheyAre() throws IOException {
        Tensor fs3 = PublishedFiles.readFs3(Fixtures.path(f("published_format/fs3.npy")));
        Tensor fs3Half = PublishedFiles.readFs3(Fixtures.path(f("published_format/fs3_as_float16.npy")));
        assertClose("fs3 file", tensor(f("fs3.fs3.npy")), fs3, 0);
        assertClose("fs3 float16", fs3, fs3Half, 1e-3);
        StyleStats ms = PublishedFiles.readStyleMeanStd(Fixtures.path(f("published_format/S_mean_std")));
        assertClose("S_mean_std mean", tensor(f("s_stats.s_mean.npy")), ms.mean(), 6e-5);
        assertClose("S_mean_std std", tensor(f("s_stats.s_std.npy")), ms.std(), 6e-6);
        assertTrue(Tensors.toFloatArray(ms.std()).length == 352);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** Expected GUI betas from the manifest. */
    static final class JsonCheck {
        static void beta(Tensor fs3, Tensor dt, int threshold, double expected) {
            assertEquals(expected, Boundary.guiBeta(fs3, dt, threshold), 1e-9);
        }
    }
}
