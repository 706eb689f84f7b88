package dev.styleclip.stylegan2;

import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Synthesis with noise maps given explicitly (what the projector optimizes), held to the noise modes. */
class ExplicitNoiseTest {
    static Generator g;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
    }

    @Test
    void theCheckpointsBuffersGivenExplicitlyAreConstExactly() {
        Tensor wp = tensor("stylegan2/wplus.npy"); // [2, 8, 64]
        List<Tensor> buffers = g.noiseBuffers();
        assertEquals(g.config().numLayers(), buffers.size());
        for (int i = 0; i < buffers.size(); i++) {
            long r = 1L << ((i + 5) / 2);
            assertEquals(List.of(1L, 1L, r, r), List.of(box(buffers.get(i).shape())), "buffer " + i);
        }
        assertEquals(0.0, Tensors.maxAbsDiff(g.synthesize(wp, NoiseMode.CONST), g.synthesize(wp, buffers)));
        // per-sample maps [B, 1, r, r] holding the buffers on every row: the same image
        List<Tensor> batched = new ArrayList<>();
        for (Tensor b : buffers) batched.add(b.repeat(2, 1, 1, 1));
        assertEquals(0.0, Tensors.maxAbsDiff(g.synthesize(wp, NoiseMode.CONST), g.synthesize(wp, batched)));
    }

    @Test
    void zeroMapsAreNoNoiseAndEachSampleGetsItsOwnMaps() {
        Tensor wp = tensor("stylegan2/wplus1.npy"); // [1, 8, 64]
        List<Tensor> zeros = new ArrayList<>();
        for (Tensor b : g.noiseBuffers()) zeros.add(torch.zeros_like(b));
        assertTrue(Tensors.maxAbsDiff(g.synthesize(wp, NoiseMode.ZERO), g.synthesize(wp, zeros)) < 1e-6);

        Tensor two = wp.repeat(2, 1, 1);
        List<Tensor> mixed = new ArrayList<>();
        for (Tensor b : g.noiseBuffers()) mixed.add(torch.cat(new TensorVector(b, torch.zeros_like(b)), 0)); // [2, 1, r, r]
        Tensor img = g.synthesize(two, mixed);
        // against the same batch of two, so that the batch computes alike
        assertEquals(0.0, Tensors.maxAbsDiff(img.narrow(0, 0, 1), g.synthesize(two, NoiseMode.CONST).narrow(0, 0, 1)));
        assertTrue(Tensors.maxAbsDiff(img.narrow(0, 1, 1), g.synthesize(two, NoiseMode.ZERO).narrow(0, 1, 1)) < 1e-6);
    }

    @Test
    void buffersAreCopiesAndGradientsReachTheMaps() {
        Tensor wp = tensor("stylegan2/wplus1.npy");
        Tensor before = g.synthesize(wp, NoiseMode.CONST);
        List<Tensor> maps = g.noiseBuffers();
        maps.get(3).add_(new org.bytedeco.pytorch.Scalar(1.0));
        assertEquals(0.0, Tensors.maxAbsDiff(before, g.synthesize(wp, NoiseMode.CONST)), "the checkpoint's buffers must not change");
        for (Tensor m : maps) m.set_requires_grad(true);
        g.synthesize(wp, maps).square().sum().backward();
        for (int i = 0; i < maps.size(); i++) {
            assertTrue(maps.get(i).grad().defined() && maps.get(i).grad().abs().sum().item_double() > 0, "no gradient for map " + i);
        }
    }

    @Test
    void wrongCountsAndShapesAreRefused() {
        Tensor wp = tensor("stylegan2/wplus1.npy");
        List<Tensor> maps = g.noiseBuffers();
        assertThrows(IllegalArgumentException.class, () -> g.synthesize(wp, maps.subList(0, 3)));
        List<Tensor> bad = new ArrayList<>(maps);
        bad.set(2, torch.zeros(1, 1, 5, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.synthesize(wp, bad));
        assertTrue(e.getMessage().contains("noise map 2"), e.getMessage());
        List<Tensor> batch = new ArrayList<>(maps);
        batch.set(0, maps.get(0).repeat(3, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> g.synthesize(wp.repeat(2, 1, 1), batch));
    }

    private static Long[] box(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
