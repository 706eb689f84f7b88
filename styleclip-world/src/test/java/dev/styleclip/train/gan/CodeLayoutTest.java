package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Designed code layouts (one-hot), re-laying a compiled generator into one, and crossfaded targets. */
class CodeLayoutTest {
    @TempDir
    Path dir;

    private static final LatentCodes.Factorization WORLD = WorldData.priorFactors();

    /** style_dim 128: a compiled mapping of the world needs 108 first-layer units. */
    private static RenderDistillation.Options compilable() {
        return new RenderDistillation.Options(new GeneratorConfig(16, 128, 4, GanOptions.parseChannels("4:32,8:32,16:32")), 4, 0.01, 0.5, 3);
    }

    @Test
    void aOneHotLayoutPutsEveryClassOnItsOwnAxis() {
        Engine.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            LatentCodes c = LatentCodes.oneHot(WORLD, 128, 0.5);
            torch.manual_seed(1);
            Tensor z = torch.randn(2, 128);
            LatentCodes.Factors f = WORLD.of(z);
            float[] w = Tensors.toFloatArray(c.codes(f).select(0, 0));
            // 52 cells and 4 continuous factors that matter: 13 axes at 0.5 (one per factor), the rest of the 52 at 0
            int atSpacing = 0;
            for (int i = 0; i < 52; i++) {
                if (Math.abs(w[i] - 0.5) < 1e-6) atSpacing++;
                else assertEquals(0, w[i], 1e-6, "axis " + i);
            }
            assertEquals(13, atSpacing);
            for (int i = 56; i < 128; i++) assertEquals(0, w[i], 0.0, "unused axis " + i);
            // another class of one attribute: two coordinates move by the spacing
            long[] cells = f.cells().clone();
            cells[4] = (cells[4] + 1) % 7; // hair colour
            Tensor moved = c.codes(new LatentCodes.Factors(2, cells, f.continuous()));
            assertEquals(0.5 * Math.sqrt(2), moved.sub(c.codes(f)).select(0, 0).norm().item_double(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> LatentCodes.oneHot(WORLD, 40, 0.5));
            assertThrows(IllegalArgumentException.class, () -> LatentCodes.oneHot(WORLD, 128, 0));
        }
    }

    @Test
    void theAffineMapBetweenTwoLayoutsCarriesEveryCode() {
        Engine.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(2);
            LatentCodes random = new LatentCodes(WORLD, 128, 0.5);
            random.parameters().get(2).copy_(torch.randn(WORLD.continuous(), 128)); // some continuous rows too
            LatentCodes hot = LatentCodes.oneHot(WORLD, 128, 0.5);
            Tensor[] mt = hot.affineTo(random);
            Tensor z = torch.randn(64, 128);
            LatentCodes.Factors f = WORLD.of(z);
            Tensor mapped = hot.codes(f).to(torch.ScalarType.Double).matmul(mt[0].t()).add(mt[1]);
            // the continuous factors that do not matter have no axis in the one-hot layout: compare without them
            Tensor want = random.codes(f).to(torch.ScalarType.Double);
            float[] c = f.continuous().clone();
            for (int i = 0; i < 64; i++) for (int k = 0; k < WorldData.priorFactors().continuous(); k++) {
                if (!WORLD.continuousMatters(k)) c[i * WORLD.continuous() + k] = 0.5f;
            }
            Tensor wantHeld = random.codes(new LatentCodes.Factors(64, f.cells(), c)).to(torch.ScalarType.Double);
            assertTrue(mapped.sub(wantHeld).abs().max().item_double() < 1e-4, "M code + t is the other layout's code");
            assertTrue(want.sub(wantHeld).abs().max().item_double() > 0.01, "the unused continuous factors do move the random layout");
            // onto itself: a projection that keeps every code
            Tensor[] self = hot.affineTo(hot);
            Tensor p = self[0];
            assertTrue(p.matmul(p).sub(p).abs().max().item_double() < 1e-9, "idempotent");
            assertEquals(43, Math.round(p.trace().item_double()), "rank: 39 cell differences + 4 continuous factors");
        }
    }

    @Test
    void readingACompiledMappingGivesBackItsCodesAndATrainedOneIsRefused() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(compilable(), WorldData.priorRenders(16), WORLD)) {
            for (int i = 0; i < 2; i++) t.step();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatentCodes.readCompiled(t.generatorEma(), WORLD));
            assertTrue(e.getMessage().contains("not a compiled one"), e.getMessage());
            t.compileMapping(0.002);
            try (NoGradGuard ng = new NoGradGuard()) {
                LatentCodes read = LatentCodes.readCompiled(t.generatorEma(), WORLD);
                torch.manual_seed(3);
                Tensor z = torch.randn(256, 128);
                Tensor gap = t.generatorEma().mapping(z).sub(read.codes(WORLD.of(z))).abs().amax(new long[] {1}, false);
                assertTrue(gap.median().item_double() < 0.02, "median gap " + gap.median().item_double());
            }
        }
    }

    @Test
    void reLayingAGeneratorKeepsItsPortraitsAndTheSavedOneIgnoresWhatNoCodeReaches() throws Exception {
        Engine.init();
        Path compiled = dir.resolve("compiled.pt");
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(compilable(), WorldData.priorRenders(16), WORLD)) {
            for (int i = 0; i < 2; i++) t.step();
            t.compileMapping(0.002);
            t.saveGenerator(compiled, false);
        }
        Path relaid = dir.resolve("relaid.pt");
        try (PointerScope scope = new PointerScope();
             RenderDistillation t = new RenderDistillation(compilable().withInterpolation(new RenderDistillation.Interpolation(0.5, 2)),
                     WorldData.priorRenders(16), WORLD)) {
            t.initFrom(compiled);
            double moved = t.relayout(LatentCodes.oneHot(WORLD, 128, 0.5), 0.002);
            assertTrue(moved < 0.02, "the portraits stay: " + moved);
            assertTrue(t.codesFixed());
            t.step();
            t.step();
            t.saveGenerator(relaid, false);
        }
        try (Generator g = Generator.load(relaid); NoGradGuard ng = new NoGradGuard(); PointerScope scope = new PointerScope()) {
            torch.manual_seed(4);
            Tensor w = g.mapping(torch.randn(4, 128));
            // the mapping draws one-hot codes: thirteen axes at 0.5 among the first 52
            float[] w0 = Tensors.toFloatArray(w.select(0, 0).narrow(0, 0, 52));
            int hot = 0;
            for (float v : w0) if (Math.abs(v - 0.5) < 1e-3) hot++;
            assertEquals(13, hot);
            Tensor img = g.synthesize(g.toWPlus(w), NoiseMode.CONST);
            // an axis no code uses, and the all-ones direction inside one factor's axes (species: 0..2)
            Tensor off = torch.zeros(1, 128);
            off.select(1, 100).fill_(new Scalar(3.0));
            off.narrow(1, 0, 3).fill_(new Scalar(1.0));
            assertTrue(Tensors.maxAbsDiff(img, g.synthesize(g.toWPlus(w.add(off)), NoiseMode.CONST)) < 1e-4);
            Tensor on = torch.zeros(1, 128);
            on.select(1, 4).fill_(new Scalar(0.5)); // towards another background
            assertTrue(Tensors.maxAbsDiff(img, g.synthesize(g.toWPlus(w.add(on)), NoiseMode.CONST)) > 1e-3);
        }
    }

    @Test
    void aPlainCrossfadeIsTheSameMixOfCodesAndOfRenders() throws Exception {
        Engine.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             RenderDistillation t = new RenderDistillation(compilable().withInterpolation(new RenderDistillation.Interpolation(0.75, 2)),
                     WorldData.priorRenders(16), WORLD)) {
            torch.manual_seed(5);
            LatentCodes.Factors f = WORLD.of(torch.randn(64, 128));
            Crossfades.Batch c = t.crossfade(f, 0);
            float[] wts = Tensors.toFloatArray(c.targetWeights());
            int n = c.corners().batch(), nf = WORLD.cellCounts().length, mixed = 0;
            for (int i = 0; i < 64; i++) {
                double sum = 0;
                int corners = 0;
                for (int j = 0; j < n; j++) {
                    if (wts[i * n + j] == 0) continue;
                    sum += wts[i * n + j];
                    corners++;
                    int differs = 0;
                    for (int k = 0; k < nf; k++) if (c.corners().cells()[j * nf + k] != f.cells()[i * nf + k]) differs++;
                    assertTrue(differs <= 2, "a corner moves at most the two chosen factors");
                }
                assertEquals(1.0, sum, 1e-5, "sample " + i + "'s weights sum to 1");
                assertTrue(corners == 1 || corners == 2 || corners == 4, "one corner, two or four: " + corners);
                if (corners > 1) mixed++;
            }
            assertTrue(mixed > 36 && mixed < 60, "about three quarters are crossfaded: " + mixed);
            // no sharpness, noise, overshoot or jitter: every row's code is the target's mix of the corners' codes
            LatentCodes codes = LatentCodes.oneHot(WORLD, 128, 0.5);
            Tensor mixedCodes = c.targetWeights().matmul(codes.codes(c.corners()));
            Tensor rows = c.codes(codes);
            for (int l = 0; l < 6; l++) assertTrue(Tensors.maxAbsDiff(rows.select(1, l), mixedCodes) < 1e-5, "row " + l);
            Tensor target = c.targets(WorldData.priorRenders(16).render(c.corners()));
            assertEquals(64, target.size(0));
            assertFalse(Double.isNaN(target.sum().item_double()));
        }
    }

    @Test
    void aSharpCrossfadeStaysNearEachClassAndSwitchesInTheMiddle() {
        var sharp = new RenderDistillation.Interpolation(1, 1, 5, 0, 0, 0);
        assertEquals(0.0, sharp.targetWeight(0), 1e-12);
        assertEquals(1.0, sharp.targetWeight(1), 1e-12);
        assertEquals(0.5, sharp.targetWeight(0.5), 1e-12);
        assertTrue(sharp.targetWeight(0.2) < 0.05 && sharp.targetWeight(0.8) > 0.95, "" + sharp.targetWeight(0.2));
        assertTrue(sharp.targetWeight(0.05) > 0, "still a gradient out of a class");
        assertEquals(0.3, new RenderDistillation.Interpolation(1, 1).targetWeight(0.3), 1e-12);
        assertEquals(1.0, sharp.targetWeight(1.2), 1e-12, "an overshoot draws the class it went past");
        assertEquals(0.0, sharp.targetWeight(-0.2), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new RenderDistillation.Interpolation(1, 4, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RenderDistillation.Interpolation(1, 1, -1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RenderDistillation.Interpolation(1, 1, 0, 0, -0.1, 0));
        // three classes: the projection clips what lies outside the simplex
        double[] p = Crossfades.projectOntoSimplex(new double[] {1.2, 0.1, -0.3});
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
        assertEquals(0.0, p[2], 0.0);
        assertEquals(1.0, p[0], 1e-12);
        double[] q = Crossfades.projectOntoSimplex(new double[] {0.5, 0.3, 0.2});
        assertEquals(0.3, q[1], 1e-12, "a point on the simplex stays");
    }

    @Test
    void jitteredRowsMoveApartAndTheTargetFollowsTheirMean() throws Exception {
        Engine.init();
        var in = new RenderDistillation.Interpolation(1, 1, 0, 0.25, 0.2, 0);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             RenderDistillation t = new RenderDistillation(compilable().withInterpolation(in), WorldData.priorRenders(16), WORLD)) {
            torch.manual_seed(7);
            Crossfades.Batch c = t.crossfade(WORLD.of(torch.randn(32, 128)), 3);
            Tensor rows = c.cellWeights(); // [B, L, cells]
            Tensor spread = rows.amax(new long[] {1}, false).sub(rows.amin(new long[] {1}, false)).amax();
            assertTrue(spread.item_double() > 0.1 && spread.item_double() <= 0.4 + 1e-6, "rows move apart by up to 0.4: " + spread.item_double());
            assertTrue(rows.min().item_double() < -0.01 || rows.max().item_double() > 1.01, "some codes overshoot a class");
            // the target's weights are the rows' mean, clipped to the simplex: two corners per sample
            Tensor mean = rows.mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            float[] m = Tensors.toFloatArray(mean), tw = Tensors.toFloatArray(c.targetWeights());
            int cells = (int) rows.size(2), k = c.corners().batch();
            int[] counts = WORLD.cellCounts();
            for (int i = 0; i < 32; i++) {
                double top = 1;
                for (int fi = 0, off = 0; fi < counts.length; off += counts[fi], fi++) {
                    double best = 0;
                    for (int j = off; j < off + counts[fi]; j++) best = Math.max(best, Math.min(1, m[i * cells + j]));
                    top *= best;
                }
                double biggest = 0;
                for (int j = 0; j < k; j++) biggest = Math.max(biggest, tw[i * k + j]);
                assertEquals(top, biggest, 1e-5, "sample " + i);
            }
            assertEquals(6, c.codes(LatentCodes.oneHot(WORLD, 128, 0.5)).size(1), "W+ rows");
        }
    }

    @Test
    void noiseAloneNudgesEveryAttributeAndSharpeningHidesIt() throws Exception {
        Engine.init();
        var in = new RenderDistillation.Interpolation(1, 1, 5, 0, 0, 0.1);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             RenderDistillation t = new RenderDistillation(compilable().withInterpolation(in), WorldData.priorRenders(16), WORLD)) {
            torch.manual_seed(8);
            LatentCodes.Factors f = WORLD.of(torch.randn(64, 128));
            Crossfades.Batch c = t.crossfade(f, 4);
            Tensor onLattice = LatentCodes.oneHot(WORLD, 128, 0.5).codes(f);
            Tensor moved = c.codes(LatentCodes.oneHot(WORLD, 128, 0.5)).select(1, 0).sub(onLattice).abs();
            assertTrue(moved.amax(new long[] {1}, false).min().item_double() > 0, "every sample's code is nudged");
            // the own corner keeps most of the target: the largest target weight per sample is above one half
            Tensor top = c.targetWeights().amax(new long[] {1}, false);
            assertTrue(top.min().item_double() > 0.3 && top.mean().item_double() > 0.8, "mean top weight " + top.mean().item_double());
        }
    }

    @Test
    void theWorldRendersFactorsAsItRendersTheLatentsTheyComeFrom() {
        Engine.init();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(6);
            Tensor z = torch.randn(8, 128);
            var targets = WorldData.priorRenders(32);
            assertEquals(0.0, Tensors.maxAbsDiff(targets.render(z), targets.render(WORLD.of(z))), 0.0);
        }
    }

    @Test
    void crossfadedTrainingLowersTheLoss() throws Exception {
        Engine.init();
        var opts = new RenderDistillation.Options(new GeneratorConfig(16, 32, 2, GanOptions.parseChannels("4:32,8:32,16:32")), 8, 0.01, 0.0, 3)
                .withInterpolation(new RenderDistillation.Interpolation(1.0, 1));
        try (PointerScope scope = new PointerScope(); RenderDistillation t = new RenderDistillation(opts, WorldData.priorRenders(16), WORLD)) {
            double first = 0, last = 0;
            for (int i = 0; i < 5; i++) first += t.step() / 5;
            for (int i = 0; i < 30; i++) t.step();
            for (int i = 0; i < 5; i++) last += t.step() / 5;
            assertTrue(last < 0.8 * first, "L1 " + first + " -> " + last);
        }
        assertThrows(IllegalArgumentException.class, () -> new RenderDistillation(opts, WorldData.priorRenders(16)));
    }
}
