package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.inspect.Inspection;
import dev.styleclip.inspect.ModelFamily;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanTrainerTest {
    @TempDir
    Path dir;

    /** A tiny 16 px run: style_dim 32, two mapping layers, channels 32/32/16, batch 8. */
    static GanOptions tiny(long seed) {
        return GanOptions.defaults(16, 32, 2, GanOptions.parseChannels("4:32,8:32,16:16"), 8, seed);
    }

    /**
     * Coloured squares at fixed positions on a black background: a 6x6 square at the top left in one of three
     * colours and a 4x4 white square at the bottom right in half of the images; a function of (step, index).
     */
    static final ImageBatches SQUARES = (step, size) -> {
        float[][] colours = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
        float[] v = new float[size * 3 * 16 * 16];
        java.util.Arrays.fill(v, -1f);
        for (int n = 0; n < size; n++) {
            Random r = new Random(step * 1000 + n);
            float[] c = colours[r.nextInt(3)];
            boolean second = r.nextBoolean();
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        int i = ((n * 3 + ch) * 16 + y) * 16 + x;
                        if (y >= 2 && y < 8 && x >= 2 && x < 8) v[i] = c[ch];
                        if (second && y >= 10 && y < 14 && x >= 10 && x < 14) v[i] = 1f;
                    }
                }
            }
        }
        return Tensors.floats(v, size, 3, 16, 16);
    };

    /** Mean squared distance between the mean of 64 samples of g (random z, random noise) and the data mean. */
    static double distanceToDataMean(Generator g, Tensor dataMean) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(99);
            Tensor z = torch.randn(64, g.config().styleDim());
            Tensor img = g.synthesize(g.toWPlus(g.mapping(z)), NoiseMode.RANDOM);
            return img.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sub(dataMean).square().mean().item_double();
        }
    }

    @Test
    void thirtyStepsMoveTheGeneratorTowardsTheData() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.create(tiny(5), SQUARES)) {
            Tensor dataMean = SQUARES.batch(10_000, 256).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            double before = distanceToDataMean(t.generator(), dataMean);
            double r1 = 0;
            for (int i = 0; i < 30; i++) {
                GanTrainer.StepLosses l = t.step();
                assertTrue(Double.isFinite(l.d()) && Double.isFinite(l.g()), "losses finite at step " + i);
                if (i == 0) r1 = l.r1();
            }
            double after = distanceToDataMean(t.generator(), dataMean);
            assertTrue(r1 > 0, "R1 computed at step 0");
            assertEquals(30, t.nextStep());
            // the data mean is mostly -1 (black) with coloured corners: an untrained generator's mean image is far from it
            assertTrue(after < 0.5 * before, "mean image distance before " + before + ", after " + after);
        }
    }

    @Test
    void checkpointLoadsWithGeneratorLoadAndMatchesGEma() throws Exception {
        Engine.init();
        Path ckpt = dir.resolve("000003.pt");
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.create(tiny(6).withEmaKimg(0.05), SQUARES)) {
            for (int i = 0; i < 3; i++) t.step();
            t.saveCheckpoint(ckpt);
            Map<?, ?> root = CheckpointReader.read(ckpt).rootMap();
            assertEquals(List.of("g", "d", "g_ema", "args", "latent_avg"), List.copyOf(root.keySet().stream().map(String::valueOf).toList()));
            assertEquals(ModelFamily.STYLEGAN2_GENERATOR, Inspection.of(ckpt).family());
            try (Generator loaded = Generator.load(ckpt); NoGradGuard ng = new NoGradGuard()) {
                assertTrue(loaded.latentAvgFromFile());
                assertEquals(0.0, Tensors.maxAbsDiff(loaded.latentAvg(), t.latentAvg().view(1, -1)), 0.0);
                Generator mine = t.generatorEma();
                torch.manual_seed(7);
                Tensor z = torch.randn(4, 32);
                Tensor a = mine.synthesize(mine.toWPlus(mine.mapping(z)), NoiseMode.CONST);
                // g_ema really differs from g after 3 steps with a short EMA, and the file holds g_ema, not g
                Tensor gImg = t.generator().synthesize(t.generator().toWPlus(t.generator().mapping(z)), NoiseMode.CONST);
                Tensor b = loaded.synthesize(loaded.toWPlus(loaded.mapping(z)), NoiseMode.CONST);
                assertEquals(0.0, Tensors.maxAbsDiff(a, b), 0.0);
                assertTrue(Tensors.maxAbsDiff(gImg, b) > 1e-4);
            }
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        Engine.init();
        GanOptions o = tiny(8).withPathRegularize(2).withBatch(4);
        // 5 steps: R1 at step 0, path length at steps 0 and 4
        GanTrainer.StepLosses expected;
        Tensor expectedImages;
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.create(o, SQUARES)) {
            for (int i = 0; i < 5; i++) t.step();
            expected = t.step();
            expectedImages = Tensors.keep(scope, t.samples()).clone();
            Tensors.keep(scope, expectedImages);
        }
        Path state = dir.resolve("run").resolve("checkpoints").resolve(GanTrainer.STATE_FILE);
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.create(o, SQUARES)) {
            assertEquals(GanTrainer.Outcome.FINISHED, t.run(5, dir.resolve("run"), 5, new GanListener() { }));
            assertTrue(Files.exists(dir.resolve("run/samples/000005.png")));
            assertTrue(Files.exists(dir.resolve("run/checkpoints/000005.pt")));
        }
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.resume(state, SQUARES)) {
            assertEquals(5, t.nextStep());
            GanTrainer.StepLosses got = t.step();
            assertEquals(expected, got);
            assertEquals(0.0, Tensors.maxAbsDiff(expectedImages, t.samples()), 0.0);
            assertTrue(got.path() > 0 && got.r1() > 0);
        } finally {
            expectedImages.releaseReference();
        }
    }

    @Test
    void stepsDoNotLeakNativeMemory() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope(); GanTrainer t = GanTrainer.create(tiny(9).withBatch(4), SQUARES)) {
            for (int i = 0; i < 20; i++) t.step();
            long before = org.bytedeco.javacpp.Pointer.physicalBytes();
            for (int i = 0; i < 100; i++) t.step();
            long grown = org.bytedeco.javacpp.Pointer.physicalBytes() - before;
            assertTrue(grown < 64L << 20, "resident memory grew by " + (grown >> 20) + " MiB over 100 steps");
        }
    }
}
