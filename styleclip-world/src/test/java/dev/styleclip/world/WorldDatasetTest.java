package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.image.Images;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorldDatasetTest {
    @Test
    void batchIsAnImageTensorInRange() {
        try (WorldDataset.Batch b = WorldDataset.batch(100, 6, 64)) {
            assertEquals("[6, 3, 64, 64]", Tensors.shapeString(b.images()));
            assertEquals(6, b.size());
            assertEquals(WorldSampler.sample(103), b.samples().get(3));
            float[] v = Tensors.toFloatArray(b.images());
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertTrue(min >= -1f && max <= 1f && max - min > 1.5f, min + " .. " + max);
            // the tensor gives back the rendered pixels exactly
            for (int i = 0; i < 6; i++) {
                BufferedImage want = PortraitRenderer.render(b.samples().get(i), 64);
                BufferedImage got = Images.toImage(b.images(), i);
                assertArrayEquals(want.getRGB(0, 0, 64, 64, null, 0, 64), got.getRGB(0, 0, 64, 64, null, 0, 64));
            }
        }
    }

    @Test
    void toTensorTakesAnyImages() {
        BufferedImage a = PortraitRenderer.render(WorldSampler.sample(1), 32);
        BufferedImage b = PortraitRenderer.render(WorldSampler.sample(2), 32);
        var t = WorldDataset.toTensor(List.of(a, b));
        assertEquals("[2, 3, 32, 32]", Tensors.shapeString(t));
        assertEquals(Tensors.maxAbsDiff(t, WorldDataset.batch(1, 2, 32).images()), 0.0, 0.0);
    }
}
