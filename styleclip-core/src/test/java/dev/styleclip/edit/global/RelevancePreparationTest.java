package dev.styleclip.edit.global;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.image.Images;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.stylegan2.StyleLayer;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fs3 as global_torch/SingleChannel.py computes it (the fs3 and fs3_probe_* cases), and resumption. */
class RelevancePreparationTest {
    static Generator g;
    static ClipModel clip;
    static StyleStats stats;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        stats = new StyleStats(tensor("global/s_stats.s_mean.npy"), tensor("global/s_stats.s_std.npy"));
    }

    @AfterAll
    static void close() {
        g.close();
        clip.close();
    }

    static RelevancePreparation prep(int maxEntry) {
        return new RelevancePreparation(g, clip, stats, new RelevancePreparation.Settings(4, 5.0, maxEntry, 8, 64));
    }

    static Tensor base() {
        return tensor("global/fs3.s_codes.npy");
    }

    @Test
    void fs3MatchesTheReference(@TempDir Path dir) throws IOException {
        RelevancePreparation p = prep(16);
        int[][] rows = p.rows();
        float[] goldenRows = Fixtures.npy("global/fs3.rows.npy").toFloatArray();
        assertEquals(goldenRows.length / 2, rows.length);
        for (int i = 0; i < rows.length; i++) {
            assertEquals((int) goldenRows[2 * i], rows[i][0]);
            assertEquals((int) goldenRows[2 * i + 1], rows[i][1]);
        }
        Tensor fs3 = p.run(base(), dir, null);
        assertClose("all_f", tensor("global/fs3.all_f.npy"), allFeatures(dir), 7e-4);
        assertClose("fs3", tensor("global/fs3.fs3.npy"), fs3, 6e-3);
    }

    @Test
    void probesMatchTheReferenceCodesAndImages() {
        RelevancePreparation p = prep(16);
        probe(p, 0, 0, "fs3_probe_L0_C0");
        probe(p, 5, 17, "fs3_probe_L5_C17");
    }

    private static void probe(RelevancePreparation p, int entry, int channel, String name) {
        StyleLayer l = g.styleLayout().get(entry);
        Tensor codes = p.editedCodes(base(), l, channel); // [M, 2, sumC]
        assertClose(name + " codes", tensor("global/" + name + ".codes.npy"), codes, 5e-6);
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor img = g.synthesizeFromStyles(StyleCodes.unflatten(codes.view(8, -1), g.styleLayout()), NoiseMode.CONST);
            Tensor u8 = Images.toUint8Nhwc(img).view(4, 2, 32, 32, 3);
            assertClose(name + " images", tensor("global/" + name + ".images_uint8.npy"), u8, 1);
        }
    }

    @Test
    void interruptedAndResumedEqualsUninterrupted(@TempDir Path dir) throws IOException {
        RelevancePreparation p = prep(2); // entries 0 and 2: 64 rows, 8 chunks
        Tensor whole = p.run(base(), dir.resolve("whole"), null);
        AtomicInteger calls = new AtomicInteger();
        Path resumed = dir.resolve("resumed");
        assertThrows(IllegalStateException.class, () -> p.run(base(), resumed, (done, total) -> {
            if (calls.incrementAndGet() == 5) throw new IllegalStateException("interrupted");
        }));
        try (Stream<Path> files = Files.list(resumed)) {
            assertEquals(5, files.filter(f -> f.toString().endsWith(".npy")).count(), "finished chunks are kept");
        }
        AtomicInteger last = new AtomicInteger();
        Tensor again = p.run(base(), resumed, (done, total) -> last.set(done));
        assertEquals(64, last.get());
        assertClose("resumed fs3", whole, again, 0);
    }

    static Tensor allFeatures(Path dir) throws IOException {
        TensorVector parts = new TensorVector();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.getFileName().toString().startsWith("allf_")).sorted().toList()) {
                parts.push_back(Tensors.fromRawAsFloat(dev.styleclip.io.Npy.read(f)));
            }
        }
        return torch.cat(parts, 0);
    }
}
