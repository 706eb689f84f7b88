package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.train.WorldData;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderDistillationTest {
    @TempDir
    Path dir;

    private static RenderDistillation.Options tiny() {
        return new RenderDistillation.Options(new GeneratorConfig(16, 32, 2, GanOptions.parseChannels("4:32,8:32,16:32")), 8, 0.01, 0.0, 3);
    }

    @Test
    void distillingTheWorldLowersTheLossOnHeldOutLatentsAndTheFileLoads() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
            torch.manual_seed(99);
            Tensor held = torch.randn(16, 32);
            double before = t.emaLoss(held);
            for (int i = 0; i < 40; i++) t.step();
            double after = t.emaLoss(held);
            assertTrue(after < 0.8 * before, "held-out L1 before " + before + ", after " + after);
            Path file = dir.resolve("generator.pt");
            t.saveGenerator(file, false);
            try (Generator loaded = Generator.load(file); NoGradGuard ng = new NoGradGuard()) {
                assertTrue(loaded.latentAvgFromFile());
                Tensor z = torch.randn(2, 32);
                Tensor a = loaded.synthesize(loaded.toWPlus(loaded.mapping(z)), NoiseMode.CONST);
                Generator mine = t.generatorEma();
                Tensor b = mine.synthesize(mine.toWPlus(mine.mapping(z)), NoiseMode.CONST);
                assertEquals(0.0, Tensors.maxAbsDiff(a, b), 0.0);
            }
            t.saveGenerator(dir.resolve("half.pt"), true);
            try (Generator half = Generator.load(dir.resolve("half.pt")); NoGradGuard ng = new NoGradGuard()) {
                Tensor z = torch.randn(2, 32);
                Generator mine = t.generatorEma();
                double d = Tensors.maxAbsDiff(half.synthesize(half.toWPlus(half.mapping(z)), NoiseMode.CONST),
                        mine.synthesize(mine.toWPlus(mine.mapping(z)), NoiseMode.CONST));
                assertTrue(d > 0 && d < 0.05, "float16 weights change the image a little: " + d);
            }
        }
    }

    @Test
    void aWarmStartBeginsWhereTheFileLeftOff() throws Exception {
        Engine.init();
        Path file = dir.resolve("g.pt");
        double trained;
        torch.manual_seed(7);
        Tensor held = torch.randn(8, 32);
        try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
            for (int i = 0; i < 10; i++) t.step();
            trained = t.emaLoss(held);
            t.saveGenerator(file, false);
        }
        try (PointerScope scope = new PointerScope();
             RenderDistillation fresh = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
            double random = fresh.emaLoss(held);
            fresh.initFrom(file);
            assertEquals(trained, fresh.emaLoss(held), 1e-6, "the warm start draws what the file's g_ema drew");
            assertTrue(Math.abs(random - trained) > 1e-3, "random " + random + " vs trained " + trained);
            fresh.step(); // and it trains on from there
        }
        var other = new RenderDistillation.Options(new GeneratorConfig(16, 32, 2, GanOptions.parseChannels("4:32,8:16,16:32")), 8, 0.01, 0.0, 3);
        try (PointerScope scope = new PointerScope(); RenderDistillation wrong = new RenderDistillation(other, WorldData.priorRenders(16))) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.styleclip.io.CheckpointException.class, () -> wrong.initFrom(file));
            assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains("convs.0.conv.weight"), e.getMessage());
        }
    }

    @Test
    void codesModeLearnsFromCodesAndTheMappingLearnsToReproduceThem() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16), WorldData.priorFactors())) {
            double firstL1 = t.step(), firstMse = t.lastMappingLoss();
            double l1 = 0, mse = 0;
            for (int i = 0; i < 30; i++) {
                l1 = t.step();
                mse = t.lastMappingLoss();
            }
            assertTrue(l1 < 0.8 * firstL1, "L1 " + firstL1 + " -> " + l1);
            assertTrue(mse < firstMse, "mapping mse " + firstMse + " -> " + mse);
            double polished = t.polishMapping(60, 256, null);
            assertTrue(polished < mse, "polish: " + mse + " -> " + polished);
            Path file = dir.resolve("coded.pt");
            t.saveGenerator(file, false);
            try (Generator loaded = Generator.load(file)) {
                assertEquals(16, loaded.config().size());
            }
        }
    }

    @Test
    void aCompiledMappingNetworkDrawsTheCodes() throws Exception {
        Engine.init();
        // style_dim 128: the world's codes need 2 x (38 cuts + 4 x 4 CDF pieces) = 108 first-layer units
        var opts = new RenderDistillation.Options(new GeneratorConfig(16, 128, 4, GanOptions.parseChannels("4:32,8:32,16:32")), 4, 0.01, 0.5, 3);
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(opts, WorldData.priorRenders(16), WorldData.priorFactors())) {
            for (int i = 0; i < 3; i++) t.step();
            double mse = t.compileMapping(0.002);
            assertTrue(mse < 2e-3, "compiled mapping vs codes: " + mse);
            Path file = dir.resolve("compiled.pt");
            t.saveGenerator(file, true);
            try (Generator g = Generator.load(file); NoGradGuard ng = new NoGradGuard()) {
                // the saved mapping (float32 beside float16 synthesis weights) draws what g_ema draws
                torch.manual_seed(8);
                Tensor z = torch.randn(64, 128);
                Generator mine = t.generatorEma();
                assertEquals(0.0, Tensors.maxAbsDiff(g.mapping(z), mine.mapping(z)), 1e-4);
            }
        }
    }

    @Test
    void theCompiledRampsSitOnTheWorldsThresholds() {
        var f = WorldData.priorFactors();
        // species: human below Phi^-1(0.70), cat up to Phi^-1(0.88), lion above
        double[] t = f.thresholds(0);
        assertEquals(2, t.length);
        assertEquals(0.70, dev.styleclip.world.WorldPrior.normalCdf(t[0]), 1e-9);
        assertEquals(0.88, dev.styleclip.world.WorldPrior.normalCdf(t[1]), 1e-9);
        assertTrue(!f.continuousMatters(0) && f.continuousMatters(dev.styleclip.world.WorldPrior.FIRST_POSED_NUISANCE));
        assertEquals(0.0, MappingCompiler.inverseCdf(0.5), 1e-9);
    }

    @Test
    void codesFitToAGeneratorReproduceItsMeanW() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
            for (int i = 0; i < 3; i++) t.step();
            LatentCodes codes = new LatentCodes(WorldData.priorFactors(), 32, 0.5);
            torch.manual_seed(5);
            Tensor z = torch.randn(4096, 32);
            codes.fitTo(t.generatorEma(), WorldData.priorFactors(), z);
            try (NoGradGuard ng = new NoGradGuard()) {
                Tensor w = t.generatorEma().mapping(z);
                Tensor c = codes.codes(WorldData.priorFactors().of(z));
                double meanGap = w.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                        .sub(c.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional())).abs().max().item_double();
                assertTrue(meanGap < 0.05, "the codes' mean is w's mean: " + meanGap);
                double spread = w.sub(c).pow(new org.bytedeco.pytorch.Scalar(2)).mean().item_double();
                double var = w.var().item_double();
                assertTrue(spread < var, "the codes explain part of w: residual " + spread + " vs variance " + var);
            }
        }
    }

    @Test
    void sameSeedSameRun() throws Exception {
        Engine.init();
        double[] losses = new double[2];
        for (int r = 0; r < 2; r++) {
            try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
                for (int i = 0; i < 3; i++) losses[r] = t.step();
            }
        }
        assertEquals(losses[0], losses[1], 0.0);
    }

    @Test
    void pixelWeightsWeightTheL1AndKeepItsScale() throws Exception {
        Engine.init();
        int n = 16 * 16;
        float[] two = new float[n];
        java.util.Arrays.fill(two, 2f);
        float[] bottom = new float[n];
        for (int i = n - 16 * 4; i < n; i++) bottom[i] = 1f; // the last four rows only
        double[] first = new double[3];
        double[][] weightedRun = new double[1][];
        for (int r = 0; r < 3; r++) {
            try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
                if (r == 1) t.setPixelWeights(two);
                if (r == 2) t.setPixelWeights(bottom);
                first[r] = t.step();
                if (r == 2) {
                    double[] l = new double[40];
                    l[0] = first[r];
                    for (int i = 1; i < l.length; i++) l[i] = t.step();
                    weightedRun[0] = l;
                }
            }
        }
        // uniform weights are the plain mean; weights on four rows are the mean error there, another number
        assertEquals(first[0], first[1], 1e-6);
        assertTrue(Math.abs(first[2] - first[0]) > 1e-4, "plain " + first[0] + " vs bottom rows " + first[2]);
        double[] l = weightedRun[0];
        double start = (l[0] + l[1] + l[2]) / 3, end = (l[37] + l[38] + l[39]) / 3;
        assertTrue(end < 0.8 * start, "the weighted L1 goes down: " + start + " -> " + end);
        try (RenderDistillation t = new RenderDistillation(tiny(), WorldData.priorRenders(16))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> t.setPixelWeights(new float[10]));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> t.setPixelWeights(new float[n]));
            float[] negative = two.clone();
            negative[5] = -1;
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> t.setPixelWeights(negative));
        }
    }

    @Test
    void theModulationWeightsLearnAtTheirOwnRate() throws Exception {
        Engine.init();
        String mod = "conv1.conv.modulation.weight", conv = "conv1.conv.weight";
        double[][] moved = new double[2][2];
        double[] mul = {1, 10};
        for (int r = 0; r < 2; r++) {
            RenderDistillation.Options o = tiny();
            o = new RenderDistillation.Options(o.config(), o.batch(), o.lr(), o.emaDecay(), o.seed(), o.warmup(), o.interpolation(), mul[r]);
            try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(o, WorldData.priorRenders(16))) {
                Tensor mod0 = t.trainingWeights().get(mod).detach().clone(), conv0 = t.trainingWeights().get(conv).detach().clone();
                for (int i = 0; i < 3; i++) t.step();
                moved[r][0] = Tensors.maxAbsDiff(t.trainingWeights().get(mod).detach(), mod0);
                moved[r][1] = Tensors.maxAbsDiff(t.trainingWeights().get(conv).detach(), conv0);
            }
        }
        // Adam's first steps move each weight by about its learning rate: ten times as far for the modulations only
        double modRatio = moved[1][0] / moved[0][0], convRatio = moved[1][1] / moved[0][1];
        assertTrue(modRatio > 6 && modRatio < 14, "modulation weights moved " + java.util.Arrays.toString(moved[0]) + " vs " + java.util.Arrays.toString(moved[1]));
        assertTrue(convRatio > 0.5 && convRatio < 2, "convolution weights moved " + moved[0][1] + " vs " + moved[1][1]);
        RenderDistillation.Options o = tiny();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
                new RenderDistillation.Options(o.config(), o.batch(), o.lr(), o.emaDecay(), o.seed(), o.warmup(), o.interpolation(), 0));
    }
}
