package dev.styleclip.invert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.GeneratorImageRecipe;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CLIP-feature distance on the tiny fixture CLIP: the blocks it reads, its definition, its range. */
class ClipFeatureDistanceTest {
    static ClipModel clip;

    @BeforeAll
    static void load() throws IOException {
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    @Test
    void blocksAtAQuarterHalfThreeQuartersAndTheEnd() {
        assertArrayEquals(new int[] {3, 6, 9, 12}, ClipFeatureDistance.blocksFor(12));
        assertArrayEquals(new int[] {1, 2, 3, 4}, ClipFeatureDistance.blocksFor(4));
        assertArrayEquals(new int[] {1, 2}, ClipFeatureDistance.blocksFor(2));
        assertArrayEquals(new int[] {1}, ClipFeatureDistance.blocksFor(1));
        assertThrows(IllegalArgumentException.class, () -> new ClipFeatureDistance(clip, 32, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClipFeatureDistance(clip, 32, clip.visionLayers() + 1));
    }

    @Test
    void blockOutputsAreTheTowersOwnTokens() {
        torch.manual_seed(6);
        int r = clip.config().imageResolution();
        Tensor x = torch.randn(2, 3, r, r);
        int last = clip.visionLayers();
        List<Tensor> all = clip.imageBlockOutputs(x, java.util.stream.IntStream.rangeClosed(1, last).toArray());
        assertEquals(last, all.size());
        long grid = r / clip.config().visionPatchSize();
        assertArrayEquals(new long[] {2, grid * grid + 1, clip.config().visionWidth()}, all.get(0).shape());
        // asking for one block computes the same stream, stopped there
        assertEquals(0.0, Tensors.maxAbsDiff(all.get(last - 1), clip.imageBlockOutputs(x, last).get(0)));
        assertEquals(0.0, Tensors.maxAbsDiff(all.get(0), clip.imageBlockOutputs(x, 1).get(0)));
        assertThrows(IllegalArgumentException.class, () -> clip.imageBlockOutputs(x, 0));
    }

    @Test
    void theDistanceIsTheMeanOverBlocksOfUnitTokenDifferences() {
        ClipFeatureDistance d = new ClipFeatureDistance(clip, 32);
        torch.manual_seed(7);
        Tensor a = torch.rand(2, 3, 32, 32).mul(new Scalar(2.0)).sub(new Scalar(1.0));
        Tensor b = a.add(torch.randn(2, 3, 32, 32).mul(new Scalar(0.3)));
        float[] dist = Tensors.toFloatArray(d.distance(a, b));
        assertEquals(2, dist.length);
        // by hand from the block outputs: per token, unit vectors; squared difference summed over channels; mean over
        // tokens, then over blocks
        int r = clip.config().imageResolution();
        Tensor fa = GeneratorImageRecipe.apply(a, 32, ImageNormalization.CLIP_MEAN_STD, r);
        Tensor fb = GeneratorImageRecipe.apply(b, 32, ImageNormalization.CLIP_MEAN_STD, r);
        List<Tensor> oa = clip.imageBlockOutputs(fa, d.blocks());
        List<Tensor> ob = clip.imageBlockOutputs(fb, d.blocks());
        for (int n = 0; n < 2; n++) {
            double sum = 0;
            for (int k = 0; k < oa.size(); k++) {
                float[] ta = Tensors.toFloatArray(oa.get(k).select(0, n));
                float[] tb = Tensors.toFloatArray(ob.get(k).select(0, n));
                int width = (int) oa.get(k).size(2);
                int tokens = ta.length / width;
                double block = 0;
                for (int t = 0; t < tokens; t++) {
                    double na = 0, nb = 0;
                    for (int c = 0; c < width; c++) {
                        na += (double) ta[t * width + c] * ta[t * width + c];
                        nb += (double) tb[t * width + c] * tb[t * width + c];
                    }
                    na = Math.sqrt(na);
                    nb = Math.sqrt(nb);
                    for (int c = 0; c < width; c++) {
                        double diff = ta[t * width + c] / na - tb[t * width + c] / nb;
                        block += diff * diff;
                    }
                }
                sum += block / tokens;
            }
            assertEquals(sum / oa.size(), dist[n], 1e-5);
            assertTrue(dist[n] > 0 && dist[n] <= 4, "distance " + dist[n]);
        }
        assertEquals(0.0, d.distance(a, a).abs().max().item_double(), 1e-6);
        assertEquals(dist[0], Tensors.toFloatArray(d.distance(b, a))[0], 1e-5, "symmetric");
    }

    @Test
    void theDistanceIsDifferentiableInTheImage() {
        ClipFeatureDistance d = new ClipFeatureDistance(clip, 32);
        torch.manual_seed(8);
        Tensor target = torch.rand(1, 3, 32, 32);
        Tensor image = torch.rand(1, 3, 32, 32);
        image.set_requires_grad(true);
        d.distanceTo(image, d.targetFeatures(target)).sum().backward();
        assertTrue(image.grad().abs().sum().item_double() > 0);
    }
}
