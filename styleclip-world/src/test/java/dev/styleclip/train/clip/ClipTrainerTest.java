package dev.styleclip.train.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipConfig;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ClipOps;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.DType;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTrainerTest {
    /** A tiny CLIP for tests: 16 px, patch 4, widths 64 (one head), two layers each, embed 32. */
    static final ClipConfig TINY = new ClipConfig(32, 16, 2, 64, 4, 77, 49408, 64, 1, 2);
    static final ClipTrainOptions OPTS = new ClipTrainOptions(7, 25, 16, 2e-3, 3, 0.1, 0.1, 0.9, 0.98, 1e-6, 10);

    @TempDir
    Path tmp;

    @Test
    void learnsColoursAndTheSavedFileComputesTheSame() throws Exception {
        ColourSquares world = new ColourSquares(16);
        List<Double> losses = new ArrayList<>();
        try (ClipTrainer t = ClipTrainer.create(TINY, OPTS)) {
            while (t.nextStep() < OPTS.steps()) {
                try (PointerScope s = new PointerScope()) {
                    ImageTextBatches.Batch b = world.batch(t.nextStep(), OPTS.batchSize());
                    losses.add(t.step(b).loss() - floor(b.captions()));
                }
            }
            double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
            double last = (losses.get(22) + losses.get(23) + losses.get(24)) / 3;
            assertTrue(last < 0.25 * first, "loss above the floor " + first + " -> " + last);

            List<String> captions = new ArrayList<>();
            for (int c = 0; c < 4; c++) captions.add(ColourSquares.caption(c));
            ImageTextBatches.Batch probe = world.images(new int[] {0, 1, 2, 3, 3, 2, 1, 0}, new Random(99));
            Path file = tmp.resolve("clip.pt");
            t.saveModel(file);
            try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard();
                 ClipModel loaded = ClipModel.load(file)) {
                Tensor img = ClipOps.l2Normalize(t.encodeImages(probe.images()));
                Tensor txt = ClipOps.l2Normalize(t.encodeTexts(captions));
                long[] best = Tensors.toLongArray(img.matmul(txt.t()).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                for (int i = 0; i < 8; i++) {
                    assertEquals(ColourSquares.caption(new int[] {0, 1, 2, 3, 3, 2, 1, 0}[i]), captions.get((int) best[i]), "image " + i);
                }
                // the file, loaded as any CLIP checkpoint, computes what the trainer computed
                assertEquals(TINY, loaded.config());
                Tensor imgL = loaded.encodeImage(GeneratorToClip.apply(probe.images(), 16));
                int[][] ids = ClipTokenizer.load().tokenize(captions, TruncationPolicy.TRUNCATE);
                Tensor txtL = loaded.encodeText(ids);
                double di = Tensors.maxAbsDiff(imgL, t.encodeImages(probe.images()));
                double dt = Tensors.maxAbsDiff(txtL, t.encodeTexts(captions));
                assertEquals(0.0, di, 0.0);
                assertEquals(0.0, dt, 1e-5);
                try (ClipModel inMemory = t.toModel()) {
                    assertEquals(0.0, Tensors.maxAbsDiff(inMemory.encodeText(ids), txtL), 0.0);
                    assertEquals(0.0, Tensors.maxAbsDiff(inMemory.encodeImage(GeneratorToClip.apply(probe.images(), 16)), imgL), 0.0);
                }
            }
            // OpenAI's layout: keys in state_dict order, convert_weights' tensors and the token embedding float16
            Map<String, TensorRef> stored = Checkpoint.tensors(CheckpointReader.read(file).root());
            assertEquals(List.of("positional_embedding", "text_projection", "logit_scale", "visual.class_embedding"),
                    new ArrayList<>(stored.keySet()).subList(0, 4));
            assertEquals(DType.FLOAT16, stored.get("visual.transformer.resblocks.1.mlp.c_fc.weight").dtype());
            assertEquals(DType.FLOAT16, stored.get("token_embedding.weight").dtype());
            assertEquals(DType.FLOAT32, stored.get("ln_final.weight").dtype());
            // what `styleclip inspect` reports
            dev.styleclip.inspect.Inspection seen = dev.styleclip.inspect.Inspection.of(file);
            assertEquals(dev.styleclip.inspect.ModelFamily.CLIP, seen.family());
            assertTrue(seen.details().get(0).contains("resolution=16"), seen.details().toString());
        }
    }

    /** The least loss a batch allows: with k copies of a caption, the uniform target has entropy log k. */
    static double floor(List<String> captions) {
        double sum = 0;
        for (String a : captions) sum += Math.log(captions.stream().filter(a::equals).count());
        return sum / captions.size();
    }

    @Test
    void aFineTuneStartsFromTheFilesWeightsWithAFreshSchedule() throws Exception {
        ColourSquares world = new ColourSquares(16);
        Path base = tmp.resolve("base");
        ClipTrainer.train(TINY, OPTS.withSteps(6), world, base, (r, total) -> { });
        Path file = base.resolve(ClipTrainer.MODEL_FILE);
        ClipTrainOptions fine = OPTS.withSeed(123).withSteps(20).withLr(1e-3, 2);
        List<String> captions = List.of(ColourSquares.caption(0), ColourSquares.caption(1), ColourSquares.caption(2));
        ImageTextBatches.Batch probe = world.images(new int[] {0, 1, 2, 3}, new Random(5));
        List<Double> losses = new ArrayList<>();
        try (ClipTrainer t = ClipTrainer.createFrom(file, fine); ClipModel loaded = ClipModel.load(file)) {
            assertEquals(0, t.nextStep(), "a fine-tune is a new run");
            assertEquals(TINY, t.config(), "the configuration comes from the file");
            try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                // it starts from the file's weights (the seed would give others), computing what the file computes
                int[][] ids = ClipTokenizer.load().tokenize(captions, TruncationPolicy.TRUNCATE);
                assertEquals(0.0, Tensors.maxAbsDiff(t.encodeTexts(captions), loaded.encodeText(ids)), 1e-5);
                assertEquals(0.0, Tensors.maxAbsDiff(t.encodeImages(probe.images()), loaded.encodeImage(GeneratorToClip.apply(probe.images(), 16))), 1e-5);
            }
            while (t.nextStep() < fine.steps()) {
                try (PointerScope s = new PointerScope()) {
                    ImageTextBatches.Batch b = world.batch(100 + t.nextStep(), fine.batchSize());
                    losses.add(t.step(b).loss() - floor(b.captions()));
                }
            }
        }
        double first = (losses.get(0) + losses.get(1)) / 2, last = (losses.get(18) + losses.get(19)) / 2;
        assertTrue(last < 0.5 * first, "fine-tune loss above the floor " + first + " -> " + last);
        // a training state is not a CLIP file
        var e = assertThrows(dev.styleclip.io.CheckpointException.class,
                () -> ClipTrainer.createFrom(base.resolve(ClipTrainer.STATE_FILE), fine));
        assertTrue(e.getMessage().contains(ClipTrainer.STATE_FILE), e.getMessage());
    }

    @Test
    void resumedRunEqualsUninterruptedOne() throws Exception {
        ColourSquares world = new ColourSquares(16);
        ClipTrainOptions opts = OPTS.withSteps(4).withBatchSize(8);
        Path straight = tmp.resolve("straight"), split = tmp.resolve("split");
        ClipTrainer.train(TINY, opts, world, straight, (r, total) -> { });
        // stop after two steps, then continue from the state file in the same folder
        int[] seen = {0};
        ClipTrainer.Outcome o = ClipTrainer.train(TINY, opts, world, split, stoppingAfter(2, seen));
        assertEquals(ClipTrainer.Outcome.STOPPED, o);
        assertEquals(ClipTrainer.Outcome.FINISHED, ClipTrainer.train(TINY, opts, world, split, (r, total) -> seen[0]++));
        assertEquals(4, seen[0]);
        try (ClipTrainer a = ClipTrainer.resume(straight.resolve(ClipTrainer.STATE_FILE), null);
             ClipTrainer b = ClipTrainer.resume(split.resolve(ClipTrainer.STATE_FILE), null)) {
            assertEquals(4, a.nextStep());
            assertEquals(4, b.nextStep());
            for (String k : a.parameters().keySet()) {
                assertEquals(0.0, Tensors.maxAbsDiff(a.parameters().get(k), b.parameters().get(k)), 0.0, k);
            }
        }
        assertTrue(Files.readAllBytes(straight.resolve(ClipTrainer.MODEL_FILE)).length > 0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(straight.resolve(ClipTrainer.MODEL_FILE)),
                Files.readAllBytes(split.resolve(ClipTrainer.MODEL_FILE)));
        // other options than the saved run's are refused
        assertThrows(IllegalArgumentException.class,
                () -> ClipTrainer.resume(split.resolve(ClipTrainer.STATE_FILE), opts.withLr(1e-4, 3)));
    }

    @Test
    void labelHeadsLearnTheWorldsLabelsResumeExactlyAndStayOutOfTheModelFile() throws Exception {
        ImageTextBatches world = dev.styleclip.train.WorldData.captionedPairs(16, 0, 0, 0.5);
        ClipTrainOptions opts = OPTS.withSteps(30).withLabelWeight(1);
        try (ClipTrainer t = ClipTrainer.create(TINY, opts); PointerScope s = new PointerScope()) {
            ImageTextBatches.Batch probe = world.batch(10_000, 64);
            // zero heads: each category with a label in the batch costs ln(its classes)
            double expected = 0;
            for (int c = 0; c < probe.categories().size(); c++) {
                final int cc = c;
                if (java.util.Arrays.stream(probe.labels()).anyMatch(row -> row[cc] >= 0)) expected += Math.log(probe.categories().get(c).classes());
            }
            double before = t.labelLoss(probe).item_double();
            assertEquals(expected, before, 1e-4);
            double wholeMinusLabels = t.loss(probe).item_double() - before;
            assertTrue(wholeMinusLabels > 0, "the whole loss adds the contrastive term: " + wholeMinusLabels);
            while (t.nextStep() < opts.steps()) {
                try (PointerScope step = new PointerScope()) {
                    ClipTrainer.StepResult r = t.step(world.batch(t.nextStep(), opts.batchSize()));
                    assertTrue(r.labelLoss() > 0 && r.loss() > r.labelLoss(), r.toString());
                }
            }
            double after = t.labelLoss(probe).item_double();
            assertTrue(after < 0.9 * before, "label loss " + before + " -> " + after);
        }
        Path straight = tmp.resolve("straight"), split = tmp.resolve("split");
        ClipTrainOptions short8 = opts.withSteps(8);
        ClipTrainer.train(TINY, short8, world, straight, (r, total) -> { });

        // a stopped run resumes its heads too: the same weights as the uninterrupted one (the heads steer the image tower)
        int[] seen = {0};
        assertEquals(ClipTrainer.Outcome.STOPPED, ClipTrainer.train(TINY, short8, world, split, stoppingAfter(3, seen)));
        ClipTrainer.train(TINY, short8, world, split, (r, total) -> { });
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(straight.resolve(ClipTrainer.MODEL_FILE)),
                Files.readAllBytes(split.resolve(ClipTrainer.MODEL_FILE)));

        // the model file has OpenAI's keys only, as a purely contrastive run writes them
        Path plain = tmp.resolve("plain");
        ClipTrainer.train(TINY, opts.withSteps(1).withLabelWeight(0), world, plain, (r, total) -> assertTrue(Double.isNaN(r.labelLoss())));
        assertEquals(keys(plain.resolve(ClipTrainer.MODEL_FILE)), keys(straight.resolve(ClipTrainer.MODEL_FILE)));

        // the label loss may read some categories only; an unknown name is refused, naming the categories
        try (ClipTrainer t = ClipTrainer.create(TINY, opts.withLabelCategories("expression, makeup")); PointerScope s = new PointerScope()) {
            ImageTextBatches.Batch b = world.batch(10_000, 64);
            assertEquals(Math.log(3) + Math.log(2), t.labelLoss(b).item_double(), 1e-5, "zero heads over expression and makeup");
        }
        var unknown = assertThrows(IllegalArgumentException.class, () -> ClipTrainer.create(TINY, opts.withLabelCategories("expression,smile")));
        assertTrue(unknown.getMessage().contains("'smile'") && unknown.getMessage().contains("facial_hair"), unknown.getMessage());

        // a labelled run needs labelled batches, and says so
        try (ClipTrainer t = ClipTrainer.create(TINY, opts); PointerScope s = new PointerScope()) {
            ImageTextBatches.Batch b = world.batch(0, 8);
            var e = assertThrows(IllegalArgumentException.class, () -> t.step(new ImageTextBatches.Batch(b.images(), b.captions())));
            assertTrue(e.getMessage().contains("labelled batches"), e.getMessage());
        }
    }

    /** A listener that counts steps in {@code seen[0]} and asks to stop once it reaches {@code n}. */
    private static ClipTrainer.Listener stoppingAfter(int n, int[] seen) {
        return new ClipTrainer.Listener() {
            @Override
            public void onStep(ClipTrainer.StepResult r, long total) {
                seen[0]++;
            }

            @Override
            public boolean stopRequested() {
                return seen[0] == n;
            }
        };
    }

        private static java.util.Set<String> keys(Path clipFile) throws Exception {
        return Checkpoint.tensors(CheckpointReader.read(clipFile).root()).keySet();
    }

    @Test
    void generatorPathIsTheIdentityResizeAtEqualSizeAndStyleClipsAt224() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = org.bytedeco.pytorch.global.torch.rand(new long[] {2, 3, 64, 64}).mul(new org.bytedeco.pytorch.Scalar(2)).sub(new org.bytedeco.pytorch.Scalar(1));
            assertEquals(0.0, Tensors.maxAbsDiff(GeneratorToClip.apply(x, 64), GeneratorToClip.normalize(x)), 0.0);
            Tensor viaRecipe = dev.styleclip.clip.GeneratorImageRecipe.apply(x, 64, dev.styleclip.clip.ImageNormalization.CLIP_MEAN_STD);
            assertEquals(0.0, Tensors.maxAbsDiff(GeneratorToClip.apply(x, 224), viaRecipe), 1e-6);
        }
    }
}
