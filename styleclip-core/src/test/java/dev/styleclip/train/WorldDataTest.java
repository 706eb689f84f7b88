package dev.styleclip.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class WorldDataTest {
    @Test
    void blurSoftensTheChosenShareOfABatchAndNothingElse() {
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            Tensor images = WorldData.labeled(32, 0).batch(0, 16).images();
            assertEquals(0.0, Tensors.maxAbsDiff(images, WorldData.blurSome(images, 0, 5)), 0.0);

            Tensor all = WorldData.blurSome(images, 1, 5);
            for (int i = 0; i < 16; i++) {
                Tensor a = images.select(0, i), b = all.select(0, i);
                assertTrue(Tensors.maxAbsDiff(a, b) > 0.05, "image " + i + " is softened");
                // a blur moves no colour in or out: the mean stays (edges replicated), the high frequencies drop
                assertEquals(a.mean().item_double(), b.mean().item_double(), 0.02);
                assertTrue(roughness(b) < 0.8 * roughness(a), "image " + i + ": " + roughness(b) + " vs " + roughness(a));
            }

            Tensor some = WorldData.blurSome(images, 0.5, 5);
            int changed = 0;
            for (int i = 0; i < 16; i++) if (Tensors.maxAbsDiff(images.select(0, i), some.select(0, i)) > 0) changed++;
            assertTrue(changed > 2 && changed < 14, changed + " of 16 softened at fraction 0.5");
            assertEquals(0.0, Tensors.maxAbsDiff(some, WorldData.blurSome(images, 0.5, 5)), 0.0, "a function of the seed");

            Tensor flat = torch.full(new long[] {2, 3, 16, 16}, new org.bytedeco.pytorch.Scalar(0.25f));
            assertEquals(0.0, Tensors.maxAbsDiff(flat, WorldData.blurSome(flat, 1, 1)), 1e-6, "a flat image stays flat");
        }
    }

    /** Mean squared difference between horizontal neighbours (a blur keeps an edge's total rise but spreads it). */
    private static double roughness(Tensor img) {
        long w = img.size(2);
        return img.narrow(2, 1, w - 1).sub(img.narrow(2, 0, w - 1)).pow(new org.bytedeco.pytorch.Scalar(2)).mean().item_double();
    }
}
