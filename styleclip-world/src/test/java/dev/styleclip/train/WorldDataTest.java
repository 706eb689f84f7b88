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
    void twinsDifferInTheirTopicAloneAndTheirCaptionsNameIt() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        java.util.Map<dev.styleclip.world.Captions.Topic, Integer> seen = new java.util.EnumMap<>(dev.styleclip.world.Captions.Topic.class);
        for (dev.styleclip.world.WorldSample s : dev.styleclip.world.WorldDataset.samples(WorldData.TRAINING_SEEDS, 400)) {
            var a = s.attributes();
            if (!a.isHuman()) continue;
            var topic = WorldData.twinTopic(a, r);
            var b = WorldData.twinOf(a, topic, r);
            int[] la = WorldData.labels(a), lb = WorldData.labels(b);
            int differ = 0;
            for (int c = 0; c < la.length; c++) if (la[c] != lb[c]) differ++;
            assertEquals(1, differ, topic + ": " + a + " vs " + b);
            if (topic == dev.styleclip.world.Captions.Topic.FACIAL_HAIR) {
                assertEquals(dev.styleclip.world.WorldAttributes.Presentation.MAN, a.presentation(), "only men get facial hair twins");
            }
            seen.merge(topic, 1, Integer::sum);
        }
        assertEquals(5, seen.size(), "every twin topic occurs: " + seen);
        assertTrue(seen.get(dev.styleclip.world.Captions.Topic.EXPRESSION) > 2 * seen.get(dev.styleclip.world.Captions.Topic.HAIR), seen.toString());

        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            // a plain batch: the portraits of its seeds, each with the caption drawn from its own seed
            var plain = WorldData.captioned(16, 0, 0).batch(2, 8);
            var samples = dev.styleclip.world.WorldDataset.samples(WorldData.TRAINING_SEEDS + 16, 8);
            for (int i = 0; i < 8; i++) {
                assertEquals(dev.styleclip.world.Captions.sample(samples.get(i).attributes(),
                        new java.util.SplittableRandom(samples.get(i).seed() * 31 + 7)), plain.captions().get(i));
            }
            assertEquals(0.0, Tensors.maxAbsDiff(plain.images(), dev.styleclip.world.WorldDataset.batch(samples, 16).images()), 0.0);
            var paired = WorldData.captionedPairs(16, 0, 0, 1).batch(2, 8);
            int twins = 0;
            for (int k = 0; k < 4; k++) {
                if (Tensors.maxAbsDiff(paired.images().select(0, 2 * k), plain.images().select(0, 2 * k)) != 0) continue;
                if (paired.captions().get(2 * k + 1).equals(plain.captions().get(2 * k + 1))) continue;
                twins++;
                assertTrue(Tensors.maxAbsDiff(paired.images().select(0, 2 * k), paired.images().select(0, 2 * k + 1)) > 0);
            }
            assertTrue(twins > 0, "some pairs of the batch are twins");
        }
    }

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

    @Test
    void theDetailMaskLiesOnTheFaceWhereTheAttributeIsDrawn() {
        int size = 64;
        float[] eyes = WorldData.detailMask(java.util.List.of(dev.styleclip.world.AttributeCategory.EYE_COLOR), 16, size, 0);
        float[] beard = WorldData.detailMask(java.util.List.of(dev.styleclip.world.AttributeCategory.FACIAL_HAIR), 16, size, 0);
        float[] both = WorldData.detailMask(java.util.List.of(dev.styleclip.world.AttributeCategory.EYE_COLOR,
                dev.styleclip.world.AttributeCategory.FACIAL_HAIR), 16, size, 0);
        float max = 0;
        int eyePixels = 0, beardPixels = 0;
        double eyeRow = 0, beardRow = 0;
        for (int i = 0; i < size * size; i++) {
            assertTrue(eyes[i] >= 0 && eyes[i] <= 1 && beard[i] >= 0 && beard[i] <= 1);
            // each category scaled to 1 on its own, the mask is the larger of the two at every pixel
            assertEquals(Math.max(eyes[i], beard[i]), both[i], 1e-6);
            max = Math.max(max, eyes[i]);
            if (eyes[i] > 0.1) {
                eyePixels++;
                eyeRow += i / size;
            }
            if (beard[i] > 0.1) {
                beardPixels++;
                beardRow += i / size;
            }
        }
        assertEquals(1f, max, 1e-6);
        // the background never changes: the image's border rows and columns stay 0
        for (int k = 0; k < size; k++) {
            for (int[] p : new int[][] {{0, k}, {size - 1, k}, {k, 0}, {k, size - 1}}) assertEquals(0f, both[p[0] * size + p[1]], "pixel " + p[0] + "," + p[1]);
        }
        // irises are a few pixels; a beard covers the lower face, below them
        assertTrue(eyePixels > 4 && eyePixels < 0.02 * size * size, "eye pixels " + eyePixels);
        assertTrue(beardPixels > 5 * eyePixels, "beard pixels " + beardPixels + " vs eyes " + eyePixels);
        assertTrue(beardRow / beardPixels > eyeRow / eyePixels + 5, "beard below the eyes: rows " + beardRow / beardPixels + " vs " + eyeRow / eyePixels);
        // the same seed, the same mask
        assertTrue(java.util.Arrays.equals(eyes, WorldData.detailMask(java.util.List.of(dev.styleclip.world.AttributeCategory.EYE_COLOR), 16, size, 0)));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WorldData.detailMask(java.util.List.of(dev.styleclip.world.AttributeCategory.BACKGROUND), 4, size, 0));
        assertTrue(e.getMessage().contains("background"), e.getMessage());
    }
}
