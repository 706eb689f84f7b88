package dev.styleclip.train.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributeClassifierTest {
    static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
    /** colour of the square, its size (16 or 32 px), and a category no training image is labelled for. */
    static final List<AttributeClassifier.Category> CATS = List.of(new AttributeClassifier.Category("colour", 3),
            new AttributeClassifier.Category("size", 2), new AttributeClassifier.Category("unused", 4));

    @TempDir
    Path tmp;

    /** 64 x 64 grey images with one square of a random colour and size at a random place. */
    static LabeledImageBatches.Batch squares(long seed, int n) {
        Random r = new Random(seed);
        int s = 64;
        float[] px = new float[n * 3 * s * s];
        int[][] labels = new int[n][];
        for (int i = 0; i < n; i++) {
            int colour = r.nextInt(3), size = r.nextInt(2), side = size == 0 ? 16 : 32;
            int x0 = r.nextInt(s - side + 1), y0 = r.nextInt(s - side + 1);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        boolean in = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
                        px[((i * 3 + c) * s + y) * s + x] = in ? RGB[colour][c] : 0f;
                    }
                }
            }
            labels[i] = new int[] {colour, size, ClassifierTrainer.IGNORE};
        }
        return new LabeledImageBatches.Batch(Tensors.floats(px, n, 3, s, s), labels);
    }

    @Test
    void learnsColourAndSizeAndSavesLoadsIdentically() throws Exception {
        Path file = tmp.resolve("attributes.pt");
        ClassifierTrainer.Options opts = new ClassifierTrainer.Options(3, 60, 32, 3e-3);
        double[] losses = new double[(int) opts.steps()];
        try (PointerScope scope = new PointerScope();
             AttributeClassifier c = ClassifierTrainer.train(CATS, opts, (step, n) -> squares(100 + step, n),
                     file, (step, total, loss) -> losses[(int) step] = loss)) {
            LabeledImageBatches.Batch test = squares(7, 64);
            AttributeClassifier.Predictions p = c.predict(test.images());
            int[] right = new int[2];
            for (int i = 0; i < 64; i++) {
                for (int h = 0; h < 2; h++) if (p.classes()[i][h] == test.labels()[i][h]) right[h]++;
                for (int h = 0; h < 3; h++) assertTrue(p.confidence()[i][h] > 0 && p.confidence()[i][h] <= 1);
            }
            assertTrue(right[0] >= 60 && right[1] >= 58, "accuracy colour " + right[0] + "/64, size " + right[1] + "/64");

            try (AttributeClassifier loaded = AttributeClassifier.load(file)) {
                assertEquals(CATS, loaded.categories());
                AttributeClassifier.Predictions q = loaded.predict(test.images());
                for (int i = 0; i < 64; i++) {
                    assertArrayEquals(p.classes()[i], q.classes()[i]);
                    assertArrayEquals(p.confidence()[i], q.confidence()[i], 0f);
                }
            }
        }
    }

    @Test
    void ignoredLabelsAddNothingToTheLossOrTheGradient() {
        try (PointerScope scope = new PointerScope(); AttributeClassifier c = AttributeClassifier.create(CATS, 5)) {
            ClassifierTrainer t = new ClassifierTrainer(c, 1e-3);
            LabeledImageBatches.Batch b = squares(11, 6);
            int[][] labels = Arrays.stream(b.labels()).map(int[]::clone).toArray(int[][]::new);
            labels[0] = new int[] {-1, -1, -1};
            labels[3][1] = -1;
            double withIgnored = t.loss(new LabeledImageBatches.Batch(b.images(), labels)).item_double();
            // by hand: per category, the mean over the labelled images only
            List<Tensor> logits = c.forward(b.images());
            double expected = 0;
            for (int h = 0; h < 2; h++) {
                float[] lp = Tensors.toFloatArray(org.bytedeco.pytorch.global.torch.log_softmax(logits.get(h), 1));
                int k = CATS.get(h).classes();
                double sum = 0;
                int count = 0;
                for (int i = 0; i < 6; i++) {
                    if (labels[i][h] < 0) continue;
                    sum -= lp[i * k + labels[i][h]];
                    count++;
                }
                expected += sum / count;
            }
            assertEquals(expected, withIgnored, 1e-5);
            // the rest of image 0 does not matter: a different image there gives the same loss
            Tensor other = b.images().clone();
            other.narrow(0, 0, 1).fill_(new org.bytedeco.pytorch.Scalar(0.5));
            assertEquals(withIgnored, t.loss(new LabeledImageBatches.Batch(other, labels)).item_double(), 1e-6);
            // a category never labelled gets no gradient: its head is left exactly as it was
            Map<String, Tensor> ps = c.parameters();
            float[] before = Tensors.toFloatArray(ps.get("heads.2.weight"));
            float[] convBefore = Tensors.toFloatArray(ps.get("conv0.weight"));
            for (int s = 0; s < 3; s++) t.step(squares(20 + s, 8));
            assertArrayEquals(before, Tensors.toFloatArray(ps.get("heads.2.weight")), 0f);
            assertTrue(Tensors.maxAbsDiff(Tensors.floats(convBefore, ps.get("conv0.weight").shape()), ps.get("conv0.weight")) > 0);
            assertThrows(IllegalArgumentException.class, () -> t.loss(new LabeledImageBatches.Batch(b.images(),
                    new int[][] {{3, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}})));
        }
    }

    @Test
    void otherFilesAreRefusedWithAClearReason() throws Exception {
        Path wrong = tmp.resolve("state_dict.pt");
        TorchWriter.writeZip(wrong, new TorchWriter.OrderedDict(Map.of("conv0.weight", dev.styleclip.io.RawTensor.ofFloats(new float[1], 1))));
        CheckpointException e = assertThrows(CheckpointException.class, () -> AttributeClassifier.load(wrong));
        assertTrue(e.getMessage().contains("not an attribute classifier"), e.getMessage());

        Path file = tmp.resolve("c.pt");
        try (AttributeClassifier c = AttributeClassifier.create(CATS, 1)) {
            c.save(file);
        }
        // the same weights under a different category table
        Map<?, ?> root = dev.styleclip.io.CheckpointReader.read(file).rootMap();
        java.util.LinkedHashMap<Object, Object> edited = new java.util.LinkedHashMap<>(root);
        edited.put("categories", List.of(Map.of("name", "colour", "classes", 5)));
        Path mismatched = tmp.resolve("mismatched.pt");
        TorchWriter.writeZip(mismatched, edited);
        e = assertThrows(CheckpointException.class, () -> AttributeClassifier.load(mismatched));
        assertTrue(e.getMessage().contains("does not match its category table"), e.getMessage());

        Path text = tmp.resolve("notes.pt");
        Files.writeString(text, "hello");
        assertThrows(java.io.IOException.class, () -> AttributeClassifier.load(text));
    }
}
