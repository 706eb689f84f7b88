package dev.styleclip.edit.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ClipViews;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The optimization's additions to the reference (W space, random views, latent smoothing, the L1 term and its ramp), on the tiny fixtures;
 * with none of them a run is the reference's, which {@link LatentOptimizationParityTest} holds to PyTorch.
 */
class OptimizationOptionsTest {
    private static final String PROMPT = "a person with purple hair";

    private static int[][] promptTokens() {
        return dev.styleclip.clip.tokenizer.ClipTokenizer.load().tokenize(List.of(PROMPT), dev.styleclip.clip.tokenizer.TruncationPolicy.ERROR);
    }

    private static LatentOptimization.Settings settings(OptimizationSpace space, int steps) {
        return new LatentOptimization.Settings(PROMPT, OptimizationMode.EDIT, space, steps, 0.1, 0.008, 0);
    }

    @Test
    void wSpaceMovesEveryRowByOneOffsetAndCountsItsDistanceOncePerRow() throws Exception {
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            Tensor start = OptimizationMemoryTest.start(g);
            List<double[]> offsets = new ArrayList<>();
            List<Double> l2 = new ArrayList<>();
            var r = method.run(start, settings(OptimizationSpace.W, 12), (losses, image, latent, grad) -> {
                Tensor d = latent.sub(start); // [1, L, D]
                assertEquals(0, d.sub(d.narrow(1, 0, 1)).abs().max().item_double(), 1e-6, "rows moved differently");
                assertEquals(List.of(1L, 1L, (long) g.config().styleDim()), List.of(grad.size(0), grad.size(1), grad.size(2)));
                offsets.add(new double[] {d.narrow(1, 0, 1).square().sum().item_double()});
                l2.add(losses.l2());
            });
            int layers = g.config().nLatent();
            assertEquals(0, l2.get(0), 1e-12, "the run starts at the start");
            for (int i = 1; i < l2.size(); i++) {
                assertEquals(layers * offsets.get(i - 1)[0], l2.get(i), 1e-6 * Math.max(1, l2.get(i)), "step " + i);
            }
            assertTrue(offsets.get(offsets.size() - 1)[0] > 0, "the offset never moved");
            assertEquals(List.of(1L, (long) layers, (long) g.config().styleDim()),
                    List.of(r.latent().size(0), r.latent().size(1), r.latent().size(2)));
        }
    }

    @Test
    void theL1TermIsTheAbsoluteDistanceToTheStartAndShortensTheMove() throws Exception {
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            Tensor start = OptimizationMemoryTest.start(g);
            double l1Lambda = 0.5; // above the tiny CLIP's pull on every coordinate
            for (OptimizationSpace space : List.of(OptimizationSpace.W_PLUS, OptimizationSpace.W)) {
                int steps = space == OptimizationSpace.W ? 30 : 6;
                List<Double> absolute = new ArrayList<>();
                var withL1 = method.run(start, settings(space, steps).withL1(l1Lambda), (losses, image, latent, grad) -> {
                    int step = losses.step();
                    if (step > 0) {
                        assertEquals(absolute.get(step - 1), losses.l1(), 1e-5 * Math.max(1, losses.l1()), space + " step " + step);
                    }
                    assertEquals(losses.clip() + 0.008 * losses.l2() + l1Lambda * losses.l1(), losses.total(), 1e-5, space + " total");
                    // the distance counted next step: every W+ entry once (in W that is the offset once per row)
                    absolute.add(latent.sub(start).abs().sum().item_double());
                });
                assertEquals(0, withL1.losses().get(0).l1(), 1e-12, "the run starts at the start");
                assertTrue(absolute.get(steps - 1) > 0, space + ": the latent never moved");
                if (space == OptimizationSpace.W) {
                    // Adam's momentum carries a coordinate past the start for a few steps; over 30 the pull back shows
                    var without = method.run(start, settings(space, steps), null);
                    assertEquals(0, without.losses().get(steps - 1).l1(), 0, "no L1 weight, no L1 term reported");
                    double movedWith = withL1.latent().sub(start).abs().sum().item_double();
                    double movedWithout = without.latent().sub(start).abs().sum().item_double();
                    assertTrue(movedWith < 0.8 * movedWithout, "the L1 term did not shorten the move (" + movedWith + " vs " + movedWithout + ")");
                }
            }
            assertThrows(IllegalArgumentException.class, () -> settings(OptimizationSpace.W, 3).withL1(-0.1));
        }
    }

    @Test
    void theL1RampRaisesTheWeightFromZeroStepByStep() throws Exception {
        var half = settings(OptimizationSpace.W, 10).withL1(0.5).withL1Ramp(0.5);
        assertEquals(0, half.l1WeightAt(0), 0);
        assertEquals(0.2, half.l1WeightAt(2), 1e-12);
        assertEquals(0.5, half.l1WeightAt(5), 1e-12);
        assertEquals(0.5, half.l1WeightAt(9), 1e-12);
        assertEquals(0.5, half.withL1Ramp(0).l1WeightAt(0), 0, "no ramp: the full weight from the first step");
        assertEquals(0.5, half.withPrompt("a cat").l1WeightAt(5), 1e-12, "withPrompt keeps the ramp");
        assertThrows(IllegalArgumentException.class, () -> half.withL1Ramp(-0.1));
        assertThrows(IllegalArgumentException.class, () -> half.withL1Ramp(1.5));
        assertThrows(IllegalArgumentException.class, () -> half.withL1Ramp(Double.NaN));
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            Tensor start = OptimizationMemoryTest.start(g);
            int steps = 30;
            var ramped = settings(OptimizationSpace.W, steps).withL1(0.5).withL1Ramp(1);
            var withRamp = method.run(start, ramped, (losses, image, latent, grad) -> {
                double w = 0.5 * losses.step() / steps; // the weight the step's total was computed with
                assertEquals(losses.clip() + 0.008 * losses.l2() + w * losses.l1(), losses.total(), 1e-5, "step " + losses.step());
            });
            var full = method.run(start, ramped.withL1Ramp(0), (losses, image, latent, grad) ->
                    assertEquals(losses.clip() + 0.008 * losses.l2() + 0.5 * losses.l1(), losses.total(), 1e-5, "full, step " + losses.step()));
            double apart = withRamp.latent().sub(full.latent()).abs().max().item_double();
            assertTrue(apart > 1e-3, "the ramp changed nothing: " + apart);
        }
    }

    @Test
    void thePromptsPullCapsTheL1WeightAndTheRunUsesTheCappedWeight() throws Exception {
        assertEquals(0.01, PromptPull.cappedL1(0.01, 0, 0.05, 8), 0, "share 0: no cap");
        assertEquals(0.5 * 0.05 / 8, PromptPull.cappedL1(0.01, 0.5, 0.05, 8), 1e-15, "a weak pull lowers the weight");
        assertEquals(0.01, PromptPull.cappedL1(0.01, 0.5, 0.4, 8), 0, "a strong pull leaves it");
        assertThrows(IllegalArgumentException.class, () -> settings(OptimizationSpace.W, 3).withL1PullShare(-0.5));
        assertThrows(IllegalArgumentException.class, () -> settings(OptimizationSpace.W, 3).withL1PullShare(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> settings(OptimizationSpace.S, 3).withL1PullShare(0.5));
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            ClipLoss loss = new ClipLoss(clip, 32, ImageNormalization.NONE);
            LatentOptimization method = new LatentOptimization(g, loss, null);
            int[][] tokens = promptTokens();
            int rows = g.config().nLatent();
            double pullW = PromptPull.of(g, loss, tokens, OptimizationSpace.W);
            assertTrue(pullW > 0, "no pull: " + pullW);
            assertEquals(pullW, PromptPull.of(g, loss, tokens, OptimizationSpace.W), 0, "the same samples, the same pull");
            double pullWPlus = PromptPull.of(g, loss, tokens, OptimizationSpace.W_PLUS);
            assertTrue(pullWPlus > 0 && pullWPlus != pullW, "measured on each row's vector in W+: " + pullWPlus + " vs " + pullW);
            assertThrows(IllegalArgumentException.class, () -> PromptPull.of(g, loss, tokens, OptimizationSpace.S));

            Tensor start = OptimizationMemoryTest.start(g);
            int steps = 6;
            double l1 = 0.5; // above the tiny CLIP's pull, so a share below 1 caps it
            var plain = settings(OptimizationSpace.W, steps).withL1(l1);
            var uncapped = method.run(start, plain, null);
            assertEquals(l1, uncapped.l1Lambda(), 0);
            var loose = method.run(start, plain.withL1PullShare(1e9), null);
            assertEquals(l1, loose.l1Lambda(), 0, "a cap above the weight leaves it");
            assertEquals(0, loose.latent().sub(uncapped.latent()).abs().max().item_double(), 0, "and the run as it was");
            double expected = 0.25 * pullW / rows;
            assertTrue(expected < l1, "the test's cap does not bite: " + expected);
            var capped = method.run(start, plain.withL1PullShare(0.25), (losses, image, latent, grad) ->
                    assertEquals(losses.clip() + 0.008 * losses.l2() + expected * losses.l1(), losses.total(),
                            1e-5 * Math.max(1, losses.total()), "capped, step " + losses.step()));
            assertEquals(expected, capped.l1Lambda(), 1e-12);
            double apart = capped.latent().sub(uncapped.latent()).abs().max().item_double();
            assertTrue(apart > 1e-4, "the capped weight changed nothing: " + apart);
        }
    }

    @Test
    void theLooseRetryOptimizesAgainExactlyTheRowsThatGainedLessAndKeepsTheOthers() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new LooseRetry(-0.1, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new LooseRetry(0.1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LatentOptimization.Settings(PROMPT, OptimizationMode.FREE,
                OptimizationSpace.W_PLUS, 3, 0.1, 0.008, 0).withRetry(new LooseRetry(0.1, 0.01)));
        assertTrue(LooseRetry.NONE.none());
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            ClipLoss loss = new ClipLoss(clip, 32, ImageNormalization.NONE);
            LatentOptimization method = new LatentOptimization(g, loss, null);
            int[][] tokens = promptTokens();
            List<Tensor> starts = new ArrayList<>();
            for (int seed = 0; seed < 4; seed++) {
                starts.add(g.toWPlus(g.truncate(g.mapping(dev.styleclip.stylegan2.Latents.seedZ(seed, g.config().styleDim())), 0.7)));
            }
            Tensor start = torch.cat(new org.bytedeco.pytorch.TensorVector(starts.toArray(new Tensor[0])), 0);
            // no L2 term: on the tiny random CLIP its pull back outweighs the prompt's within a few steps
            var strong = new LatentOptimization.Settings(PROMPT, OptimizationMode.EDIT, OptimizationSpace.W, 5, 0.1, 0, 0);
            var one = method.run(start, strong, null);
            assertEquals(0, one.retried().length);
            assertTrue(one.retryLosses().isEmpty());
            float[] gain;
            try (NoGradGuard ng = new NoGradGuard()) {
                gain = dev.styleclip.tensor.Tensors.toFloatArray(loss.forward(one.startImage(), tokens)
                        .sub(loss.forward(one.finalImage(), tokens)).reshape(-1));
            }
            float[] sorted = gain.clone();
            java.util.Arrays.sort(sorted);
            assertTrue(sorted[1] < sorted[2] && sorted[1] + sorted[2] > 0, "the rows gained alike: " + java.util.Arrays.toString(gain));
            double minGain = (sorted[1] + sorted[2]) / 2.0; // two rows below, two above
            long[] expected = java.util.stream.IntStream.range(0, 4).filter(i -> gain[i] < minGain).asLongStream().toArray();
            assertEquals(2, expected.length);

            List<long[]> told = new ArrayList<>();
            List<Integer> retrySteps = new ArrayList<>();
            var retried = method.run(start, strong.withRetry(new LooseRetry(minGain, 0.05)), new LatentOptimization.Observer() {
                @Override
                public void onStep(LatentOptimization.StepLosses losses, Tensor image, Tensor latent, Tensor grad) {
                    if (!told.isEmpty()) {
                        retrySteps.add(losses.step());
                        assertEquals(2, latent.size(0), "the second pass runs on the retried rows only");
                    }
                }

                @Override
                public void onRetry(long[] rows, double l1Lambda) {
                    assertEquals(0.05, l1Lambda, 0);
                    told.add(rows);
                }
            });
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(retried.retried()));
            assertEquals(1, told.size());
            assertEquals(List.of(0, 1, 2, 3, 4), retrySteps);
            assertEquals(5, retried.retryLosses().size());
            assertEquals(one.losses().size(), retried.losses().size());

            Tensor rows = dev.styleclip.tensor.Tensors.longs(expected);
            var alone = method.run(start.index_select(0, rows), strong.withL1(0.05), null);
            for (int i = 0; i < 4; i++) {
                final int row = i;
                boolean again = java.util.Arrays.stream(expected).anyMatch(r -> r == row);
                Tensor got = retried.latent().select(0, i);
                Tensor want = again ? alone.latent().select(0, java.util.Arrays.binarySearch(expected, i)) : one.latent().select(0, i);
                assertEquals(0, got.sub(want).abs().max().item_double(), 1e-5, "row " + i + (again ? ", retried" : ", kept"));
                Tensor image = retried.finalImage().select(0, i);
                Tensor wantImage = again ? alone.finalImage().select(0, java.util.Arrays.binarySearch(expected, i)) : one.finalImage().select(0, i);
                assertEquals(0, image.sub(wantImage).abs().max().item_double(), 1e-4, "image of row " + i);
            }
            double moved = alone.latent().sub(one.latent().index_select(0, rows)).abs().max().item_double();
            assertTrue(moved > 1e-4, "the second weight changed nothing: " + moved);

            var all = method.run(start, strong.withRetry(new LooseRetry(1e9, 0.01)), null);
            assertEquals(4, all.retried().length, "a minimum no gain reaches retries every row");
        }
    }

    @Test
    void viewsAreCropsOrMirrorsOfTheImageAndReproducible() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor x = torch.rand(2, 3, 16, 16);
            Tensor a = ClipViews.of(5, 3).sampler().apply(x);
            Tensor b = ClipViews.of(5, 3).sampler().apply(x);
            assertEquals(List.of(10L, 3L, 16L, 16L), List.of(a.size(0), a.size(1), a.size(2), a.size(3)));
            assertEquals(0, a.sub(b).abs().max().item_double(), 0, "the same seed gave other views");
            assertTrue(ClipViews.of(5, 4).sampler().apply(x).sub(a).abs().max().item_double() > 0, "another seed, the same views");
            // whole-image views are the image or its mirror, for both images of the batch
            Tensor whole = new ClipViews(6, 1.0, 1).sampler().apply(x);
            for (int v = 0; v < 6; v++) {
                Tensor view = whole.narrow(0, 2L * v, 2);
                double asIs = view.sub(x).abs().max().item_double(), mirrored = view.sub(x.flip(3)).abs().max().item_double();
                assertEquals(0, Math.min(asIs, mirrored), 0, "view " + v);
            }
            assertSame(x, ClipViews.NONE.sampler().apply(x), "no views: the image itself");
            assertThrows(IllegalArgumentException.class, () -> new ClipViews(-1, 0.8, 0));
            assertThrows(IllegalArgumentException.class, () -> new ClipViews(2, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new ClipViews(2, 1.5, 0));
        }
    }

    @Test
    void viewsAverageTheLossAndNoneIsTheReferenceLoss() throws Exception {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            ClipLoss loss = new ClipLoss(clip, 32, ImageNormalization.NONE);
            Tensor image = torch.rand(3, 3, 32, 32).mul(new org.bytedeco.pytorch.Scalar(2.0)).sub(new org.bytedeco.pytorch.Scalar(1.0));
            int[][] tokens = promptTokens();
            Tensor plain = loss.forward(image, tokens);
            assertEquals(0, loss.forward(image, tokens, ClipViews.NONE.sampler()).sub(plain).abs().max().item_double(), 0);
            Tensor viewed = loss.forward(image, tokens, ClipViews.of(4, 9).sampler());
            assertEquals(List.of(3L, 1L), List.of(viewed.size(0), viewed.size(1)));
            // the mean of the four views' own losses
            Tensor views = ClipViews.of(4, 9).sampler().apply(loss.fit(image));
            Tensor each = clip.forward(views, tokens).perImage().div(new org.bytedeco.pytorch.Scalar(loss.divisor())).neg()
                    .add(new org.bytedeco.pytorch.Scalar(1.0)).reshape(4, 3, 1).mean(0);
            assertEquals(0, viewed.sub(each).abs().max().item_double(), 1e-5);
        }
    }

    @Test
    void smoothingMovesEachCopyByOneOffsetInW() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor w = torch.rand(2, 5, 64);
            Tensor near = new LatentSmoothing(300, 0.5, 11).sampler().around(w); // [600, 5, 64]
            assertEquals(List.of(600L, 5L, 64L), List.of(near.size(0), near.size(1), near.size(2)));
            Tensor offsets = near.sub(w.repeat(300, 1, 1));
            assertEquals(0, offsets.sub(offsets.narrow(1, 0, 1)).abs().max().item_double(), 1e-6, "rows moved differently");
            assertEquals(0.5, offsets.narrow(1, 0, 1).std().item_double(), 0.01);
            assertEquals(0, offsets.narrow(1, 0, 1).mean().item_double(), 0.01);
            Tensor again = new LatentSmoothing(300, 0.5, 11).sampler().around(w);
            assertEquals(0, again.sub(near).abs().max().item_double(), 0, "the same seed gave other offsets");
            assertSame(LatentSmoothing.NONE, LatentSmoothing.of(0, 0.6, 3), "no samples, no smoothing");
            assertEquals(new LatentSmoothing(4, 0.6, 3), LatentSmoothing.of(4, 0.6, 3));
            assertThrows(IllegalArgumentException.class, () -> new LatentSmoothing(-1, 0.5, 0));
            assertThrows(IllegalArgumentException.class, () -> new LatentSmoothing(4, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new LatentSmoothing(4, Double.NaN, 0));
            assertThrows(IllegalArgumentException.class, () -> settings(OptimizationSpace.S, 3).withSmoothing(new LatentSmoothing(2, 0.5, 0)));
        }
    }

    @Test
    void smoothedRunIsReproducibleAndShowsTheImageOfTheLatentItself() throws Exception {
        try (PointerScope scope = new PointerScope();
             Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            Tensor start = OptimizationMemoryTest.start(g);
            var smoothed = settings(OptimizationSpace.W_PLUS, 8).withSmoothing(new LatentSmoothing(3, 0.3, 5));
            List<Double> clipLosses = new ArrayList<>();
            var a = method.run(start, smoothed, (losses, image, latent, grad) -> {
                if (losses.step() == 0) {
                    try (NoGradGuard ng = new NoGradGuard()) {
                        assertEquals(0, image.sub(g.synthesize(start, dev.styleclip.stylegan2.NoiseMode.CONST)).abs().max().item_double(),
                                1e-5, "the observer sees the image of the latent, not of a neighbour");
                    }
                }
                clipLosses.add(losses.clip());
            });
            var b = method.run(start, smoothed, null);
            var plain = method.run(start, settings(OptimizationSpace.W_PLUS, 8), null);
            assertEquals(0, a.latent().sub(b.latent()).abs().max().item_double(), 0, "same settings, another result");
            assertTrue(a.latent().sub(plain.latent()).abs().max().item_double() > 0, "smoothing changed nothing");
            assertTrue(a.latent().sub(start).abs().max().item_double() > 0, "the latent never moved");
            assertTrue(Math.abs(clipLosses.get(0) - plain.losses().get(0).clip()) > 1e-6,
                    "step 0's loss should be the neighbours' mean, not the latent's own");
        }
    }
}
