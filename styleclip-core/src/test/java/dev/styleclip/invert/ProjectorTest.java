package dev.styleclip.invert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.check.SettingException;
import dev.styleclip.stop.Stop;
import dev.styleclip.stop.StoppedException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The projector on the tiny fixture generator: its schedule, sigma_w, recovering a known latent, stopping, reproducibility. */
class ProjectorTest {
    static Generator g;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
    }

    /** Pixel losses only: the tiny CLIP's random weights make its features meaningless. */
    static final InversionLoss.Weights PIXELS = new InversionLoss.Weights(1, 1, 0, 0);

    @Test
    void theLearningRateFollowsGetLr() {
        // get_lr(t, 0.1): ramp-up over t < 0.05, cosine ramp-down over t > 0.75
        assertEquals(0.0, Projector.learningRate(0, 0.1));
        assertEquals(0.05, Projector.learningRate(0.025, 0.1), 1e-12); // half-way up
        assertEquals(0.1, Projector.learningRate(0.05, 0.1), 1e-12);
        assertEquals(0.1, Projector.learningRate(0.5, 0.1), 1e-12);
        assertEquals(0.1, Projector.learningRate(0.75, 0.1), 1e-12);
        assertEquals(0.1 * (0.5 - 0.5 * Math.cos(0.8 * Math.PI)), Projector.learningRate(0.8, 0.1), 1e-12);
        assertEquals(0.0904508497, Projector.learningRate(0.8, 0.1), 1e-9);
        assertEquals(0.0345491503, Projector.learningRate(0.9, 0.1), 1e-9);
        assertEquals(0.2 * 0.0039426493, Projector.learningRate(0.99, 0.2), 1e-9);
    }

    @Test
    void theLatentNoiseFallsQuadraticallyToZeroAtThreeQuarters() {
        // sigma_w * 0.05 * max(0, 1 - t / 0.75)^2 with sigma_w = 2
        assertEquals(0.1, Projector.noiseStrength(0, 2, 0.05, 0.75), 1e-12);
        assertEquals(0.064, Projector.noiseStrength(0.15, 2, 0.05, 0.75), 1e-12); // (1 - 0.2)^2 = 0.64
        assertEquals(0.025, Projector.noiseStrength(0.375, 2, 0.05, 0.75), 1e-12); // (1 - 0.5)^2 = 0.25
        assertEquals(0.0, Projector.noiseStrength(0.75, 2, 0.05, 0.75));
        assertEquals(0.0, Projector.noiseStrength(0.9, 2, 0.05, 0.75));
    }

    @Test
    void sigmaWIsProjectorPysEstimateFromSeededSamples() {
        Projector p = new Projector(g, null, null);
        double sigma = p.sigmaW();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(Projector.W_STATS_SEED);
            Tensor w = g.mapping(torch.randn(10_000, g.config().styleDim()));
            // sqrt(sum((w - mean)^2) / n): the per-coordinate variances summed
            Tensor var = w.var(new long[] {0}, false, false); // [D], divided by n
            assertEquals(Math.sqrt(var.sum().item_double()), sigma, 1e-4 * sigma);
        }
        assertEquals(sigma, new Projector(g, null, null).sigmaW(), "seeded: the same on every projector");
    }

    @Test
    void invertingAGeneratorSampleInWRecoversItsLatent() {
        try (PointerScope scope = new PointerScope()) {
            Projector p = new Projector(g, null, null);
            double sigma = p.sigmaW();
            Tensor w;
            Tensor target;
            try (NoGradGuard ng = new NoGradGuard()) {
                w = g.truncate(g.mapping(Latents.seedZ(5, g.config().styleDim())), 0.7); // [1, D]
                target = g.synthesize(g.toWPlus(w), NoiseMode.CONST);
            }
            double start = g.latentAvg().sub(w).norm().item_double();
            Projector.Result r = p.run(target, Projector.Settings.of(InversionSpace.W, 300, 0.1, PIXELS), null);
            double psnr = ImageMetrics.measure(r.image(), target, null).psnr();
            double distance = r.latent().select(1, 0).sub(w).norm().item_double();
            assertTrue(psnr > 28, "PSNR " + psnr);
            assertTrue(distance < 0.25 * sigma && distance < 0.5 * start,
                    "w distance " + distance + " (start " + start + ", sigma_w " + sigma + ")");
            assertEquals(300, r.losses().size());
            assertTrue(r.losses().get(299).total() < 0.2 * r.losses().get(0).total(), "loss " + r.losses().get(0) + " -> " + r.losses().get(299));
            // W: one w on every row; the result is W+ [1, n_latent, D] and the maps [1, 1, r, r]
            assertArrayEquals(new long[] {1, g.config().nLatent(), g.config().styleDim()}, r.latent().shape());
            assertEquals(0.0, Tensors.maxAbsDiff(r.latent().select(1, 0), r.latent().select(1, g.config().nLatent() - 1)));
            assertEquals(g.config().numLayers(), r.noise().size());
            assertArrayEquals(new long[] {1, 1, 32, 32}, r.noise().get(g.config().numLayers() - 1).shape());
            // the reconstruction is the latent with the maps
            try (NoGradGuard ng = new NoGradGuard()) {
                assertEquals(0.0, Tensors.maxAbsDiff(r.image(), g.synthesize(r.latent(), r.noise())));
            }
            for (Tensor n : r.noise()) assertEquals(0.0, n.mean().item_double(), 1e-5, "the maps are normalised after every step");
        }
    }

    @Test
    void wPlusMovesEachRowAndARunIsReproducible() {
        try (PointerScope scope = new PointerScope()) {
            Projector p = new Projector(g, null, null);
            Tensor target;
            try (NoGradGuard ng = new NoGradGuard()) {
                target = g.synthesize(g.toWPlus(g.mapping(Latents.seedZ(2, g.config().styleDim()))), NoiseMode.CONST);
            }
            Projector.Settings s = Projector.Settings.of(InversionSpace.W_PLUS, 12, 0.1, PIXELS).withSeed(3);
            Projector.Result a = p.run(target, s, null);
            Projector.Result b = p.run(target, s, null);
            assertEquals(0.0, Tensors.maxAbsDiff(a.latent(), b.latent()), "the same seed, the same run");
            assertTrue(Tensors.maxAbsDiff(a.latent().select(1, 0), a.latent().select(1, 5)) > 1e-3, "W+ rows move apart");
            Projector.Result c = p.run(target, s.withSeed(4), null);
            assertTrue(Tensors.maxAbsDiff(a.latent(), c.latent()) > 1e-4, "another seed, other latent noise");
            Projector.Result d = p.run(target, s.withNoiseStart(NoiseStart.RANDOM), null);
            assertTrue(Tensors.maxAbsDiff(a.noise().get(3), d.noise().get(3)) > 0.1, "random maps are not the buffers");
            // step 0 runs at lr 0: the latent only moves from step 1 on (Adam's first update is about lr)
            assertEquals(0.0, a.losses().get(0).lr());
        }
    }

    @Test
    void aStopRequestEndsTheRunAtAStepBoundary() throws Exception {
        Projector p = new Projector(g, null, null);
        Stop.Token token = new Stop.Token();
        List<Integer> seen = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor target;
            try (NoGradGuard ng = new NoGradGuard()) {
                target = g.synthesize(g.toWPlus(g.latentAvg()), NoiseMode.CONST);
            }
            StoppedException e = assertThrows(StoppedException.class, () -> Stop.under(token, () -> p.run(target,
                    Projector.Settings.of(InversionSpace.W, 50, 0.1, PIXELS), (losses, image, latent) -> {
                        seen.add(losses.step());
                        if (losses.step() == 3) token.cancel("test");
                    })));
            assertEquals("test", e.reason());
        }
        assertEquals(List.of(0, 1, 2, 3), seen, "the step that saw the request finished; no later one started");
    }

    @Test
    void badSettingsAreRefusedByTheirOptionsNames() {
        assertEquals("steps", assertThrows(SettingException.class,
                () -> Projector.Settings.of(InversionSpace.W, 0, 0.1, PIXELS)).setting());
        assertEquals("lr", assertThrows(SettingException.class, () -> Projector.Settings.of(InversionSpace.W, 10, Double.NaN, PIXELS)).setting());
        assertEquals("lr", assertThrows(SettingException.class, () -> Projector.Settings.of(InversionSpace.W, 10, 0, PIXELS)).setting());
        Projector.Settings ok = Projector.Settings.of(InversionSpace.W, 10, 0.1, PIXELS);
        assertEquals("noise-regularize", assertThrows(SettingException.class, () -> ok.withNoiseRegularize(-1)).setting());
        assertEquals("latent-noise", assertThrows(SettingException.class, () -> ok.withLatentNoise(Double.NaN)).setting());
        assertEquals("space", assertThrows(SettingException.class, () -> ok.withSpace(null)).setting());
        assertEquals("space", assertThrows(SettingException.class, () -> InversionSpace.parse("space", "s")).setting());
        assertEquals("method", assertThrows(SettingException.class, () -> new InversionSettings(null, ok, null)).setting());
        assertEquals("method", assertThrows(SettingException.class, () -> InversionMethod.parse("method", "lpips")).setting());
        assertThrows(IllegalArgumentException.class, () -> new Projector(g, null, null).run(torch.zeros(1, 3, 16, 16), ok, null));
    }

    @Test
    void aLongRunDoesNotGrowResidentMemory() throws IOException {
        Projector p = new Projector(g, null, null);
        long[] rss = new long[2];
        try (PointerScope scope = new PointerScope()) {
            Tensor target;
            try (NoGradGuard ng = new NoGradGuard()) {
                target = g.synthesize(g.toWPlus(g.latentAvg()), NoiseMode.CONST);
            }
            p.run(target, Projector.Settings.of(InversionSpace.W_PLUS, 200, 0.1, PIXELS), (losses, image, latent) -> {
                if (losses.step() == 49 || losses.step() == 199) {
                    System.gc();
                    rss[losses.step() == 49 ? 0 : 1] = residentKb();
                }
            });
        }
        long growthMb = (rss[1] - rss[0]) / 1024;
        assertTrue(growthMb < 12, "resident memory grew by " + growthMb + " MB over 150 steps");
    }

    static long residentKb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS");
    }
}
