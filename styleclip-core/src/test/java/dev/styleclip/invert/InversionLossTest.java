package dev.styleclip.invert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The inversion loss: its terms, their weights, batch means, the pooling of large images, and its checks. */
class InversionLossTest {
    static ClipModel clip;
    static IdLoss id;

    @BeforeAll
    static void load() throws IOException {
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        id = IdLoss.load(Fixtures.path("arcface/tiny_ir_se.pth"));
    }

    @AfterAll
    static void close() {
        clip.close();
        id.close();
    }

    private static Tensor image(long seed, long n, long size) {
        torch.manual_seed(seed);
        return torch.rand(n, 3, size, size).mul(new Scalar(2.0)).sub(new Scalar(1.0));
    }

    @Test
    void eachTermIsItsDefinitionAndTheTotalTheirWeightedSum() {
        ClipFeatureDistance d = new ClipFeatureDistance(clip, 32);
        InversionLoss loss = new InversionLoss(new InversionLoss.Weights(2, 0.5, 3, 0.25), d, id);
        Tensor a = image(1, 2, 32);
        Tensor b = image(2, 2, 32);
        InversionLoss.Terms t = loss.terms(a, loss.target(b));
        assertEquals(a.sub(b).square().mean().item_double(), t.mse().item_double(), 1e-6);
        assertEquals(1 - ImageMetrics.ssim(a, b).mean().item_double(), t.ssimLoss().item_double(), 1e-6);
        assertEquals(d.distance(a, b).mean().item_double(), t.clipFeatures().item_double(), 1e-6);
        assertEquals(id.loss(a, b).item_double(), t.id().item_double(), 1e-6);
        double expected = 2 * t.mse().item_double() + 0.5 * t.ssimLoss().item_double() + 3 * t.clipFeatures().item_double()
                + 0.25 * t.id().item_double();
        assertEquals(expected, t.total().item_double(), 1e-5);
        assertEquals(expected, loss.forward(a, b).item_double(), 1e-5);
    }

    @Test
    void aBatchIsTheMeanOfItsImages() {
        InversionLoss loss = new InversionLoss(new InversionLoss.Weights(1, 1, 1, 0), new ClipFeatureDistance(clip, 32), null);
        Tensor a = image(3, 2, 32);
        Tensor b = image(4, 2, 32);
        double one = loss.forward(a.narrow(0, 0, 1), b.narrow(0, 0, 1)).item_double();
        double two = loss.forward(a.narrow(0, 1, 1), b.narrow(0, 1, 1)).item_double();
        assertEquals((one + two) / 2, loss.forward(a, b).item_double(), 1e-5);
        assertEquals(0.0, loss.forward(a, a).item_double(), 1e-5);
    }

    @Test
    void unweightedTermsAreNotComputedAndTheLossIsDifferentiable() {
        InversionLoss loss = new InversionLoss(new InversionLoss.Weights(1, 0, 0, 0), null, null);
        Tensor a = image(5, 1, 32);
        Tensor b = image(6, 1, 32);
        a.set_requires_grad(true);
        InversionLoss.Terms t = loss.terms(a, loss.target(b));
        assertEquals(0.0, t.ssimLoss().item_double());
        assertEquals(0.0, t.clipFeatures().item_double());
        t.total().backward();
        // d mean((a - b)^2) / da = 2 (a - b) / numel
        assertEquals(0.0, Tensors.maxAbsDiff(a.grad(), a.detach().sub(b).mul(new Scalar(2.0 / a.numel()))), 1e-9);
    }

    @Test
    void imagesAbove256PixelsAreComparedPooledTo256() {
        Tensor big = image(7, 1, 512);
        Tensor pooled = InversionLoss.atComparedSize(big);
        assertEquals(256, pooled.size(2));
        // each pixel is the mean of its 2 x 2 block
        assertEquals(big.narrow(1, 2, 1).narrow(2, 10, 2).narrow(3, 20, 2).mean().item_double(),
                pooled.narrow(1, 2, 1).narrow(2, 5, 1).narrow(3, 10, 1).item_double(), 1e-6);
        assertEquals(InversionLoss.atComparedSize(image(8, 1, 256)).size(2), 256);
        InversionLoss loss = new InversionLoss(new InversionLoss.Weights(1, 0, 0, 0), null, null);
        Tensor other = image(9, 1, 512);
        assertEquals(pooled.sub(InversionLoss.atComparedSize(other)).square().mean().item_double(), loss.forward(big, other).item_double(), 1e-6);
    }

    @Test
    void badWeightsAreRefusedByTheirOptionsNames() {
        SettingException e = assertThrows(SettingException.class, () -> new InversionLoss.Weights(-1, 0, 0, 0));
        assertEquals("mse-lambda", e.setting());
        assertEquals("ssim-lambda", assertThrows(SettingException.class, () -> new InversionLoss.Weights(1, Double.NaN, 0, 0)).setting());
        assertEquals("clip-feature-lambda", assertThrows(SettingException.class,
                () -> new InversionLoss.Weights(1, 0, Double.POSITIVE_INFINITY, 0)).setting());
        assertEquals("id-lambda", assertThrows(SettingException.class, () -> new InversionLoss.Weights(1, 0, 0, -0.1)).setting());
        assertTrue(assertThrows(SettingException.class, () -> new InversionLoss.Weights(0, 0, 0, 0)).getMessage().contains("nothing would compare"));
        assertEquals("id-lambda", assertThrows(SettingException.class,
                () -> new InversionLoss(new InversionLoss.Weights(1, 0, 0, 0.1), null, null)).setting());
        assertThrows(IllegalArgumentException.class, () -> new InversionLoss(new InversionLoss.Weights(1, 0, 1, 0), null, null));
    }
}
