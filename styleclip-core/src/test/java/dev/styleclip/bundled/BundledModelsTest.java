package dev.styleclip.bundled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.AttributeCategory;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class BundledModelsTest {
    /** The bundled generator, CLIP and classifier, loaded together and closed together. */
    private record Models(Generator g, ClipModel clip, AttributeClassifier classifier) implements AutoCloseable {
        static Models load() throws java.io.IOException {
            Generator g = Generator.load(BundledModels.path(BundledModels.GENERATOR));
            try {
                ClipModel clip = ClipModel.load(BundledModels.path(BundledModels.CLIP));
                try {
                    return new Models(g, clip, AttributeClassifier.load(BundledModels.path(BundledModels.CLASSIFIER)));
                } catch (java.io.IOException | RuntimeException e) {
                    clip.close();
                    throw e;
                }
            } catch (java.io.IOException | RuntimeException e) {
                g.close();
                throw e;
            }
        }

        /** world eval's judge over these models, with the loss the commands use for this CLIP. */
        WorldEval eval() {
            return new WorldEval(g, clip, ClipLoss.forModel(clip, g.config().size()), classifier, BundledModels.TRUNCATION);
        }

        @Override
        public void close() {
            classifier.close();
            clip.close();
            g.close();
        }
    }

    @Test
    void theBundledModelsLoadAndAnEditMovesTheImageTowardsThePrompt() throws Exception {
        try (Models m = Models.load(); PointerScope scope = new PointerScope()) {
            Generator g = m.g();
            ClipModel clip = m.clip();
            AttributeClassifier classifier = m.classifier();
            assertEquals(BundledModels.IMAGE_SIZE, g.config().size());
            assertEquals(BundledModels.IMAGE_SIZE, clip.config().imageResolution());
            assertEquals(AttributeCategory.ALL.size(), classifier.categories().size());
            WorldEval eval = m.eval();
            ClipLoss loss = ClipLoss.forModel(clip, g.config().size());
            assertEquals(ImageNormalization.CLIP_MEAN_STD, ImageNormalization.forModel(clip), "the project's 64-px CLIP learned on normalised pixels");
            assertEquals(clip.logitScaleExp(), loss.divisor(), 1e-9, "its loss is 1 - cosine, as with OpenAI's scale of 100");
            assertTrue(loss.divisor() < 50);
            WorldEval.Target purple = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("purple hair")).findFirst().orElseThrow();
            var seeds = eval.eligibleSeeds(purple, 4, 200);
            assertEquals(4, seeds.size(), "four portraits without purple hair among the first 200 seeds");
            WorldEval.Row row = eval.evaluate(purple, "optimize", eval.optimize(new LatentOptimization.Settings("", OptimizationMode.EDIT, OptimizationSpace.W_PLUS, 30, 0.1, 0.008, 0)), seeds);
            assertTrue(row.clipAfter() > row.clipBefore() + 0.02, "CLIP similarity to 'purple hair' " + row.clipBefore() + " -> " + row.clipAfter());
            double[] shares = row.changed().values().stream().mapToDouble(Double::doubleValue).toArray();
            for (int i = 0; i < shares.length; i++) {
                assertTrue(shares[i] >= 0 && shares[i] <= 1, row.changed().toString());
                if (i > 0) assertTrue(shares[i] <= shares[i - 1], "most changed first: " + row.changed());
            }
            assertEquals(AttributeCategory.ALL.size(), row.changed().size(), "every category has its share");
            // CLIP ranks renders with purple hair above those without; every AUC is a share
            var auc = eval.clipRankingAuc(WorldEval.TARGETS, 6000, 200);
            assertTrue(auc.get("purple hair") > 0.9, auc.toString());
            assertTrue(auc.get("smiling") > 0.9, "the CLIP sees the mouth (set v2: 0.51): " + auc);
            for (double v : auc.values()) assertTrue(v >= 0 && v <= 1, auc.toString());
            // CLIP's image features carry hair colour (a linear probe beats the commonest class by far)
            var probe = eval.clipLinearProbe(7000, 400, 200);
            assertTrue(probe.get("hair_color").accuracy() > probe.get("hair_color").majority() + 0.3, probe.toString());
            assertTrue(probe.get("expression").accuracy() > probe.get("expression").majority() + 0.3, "and expression: " + probe);
            for (var p : probe.values()) assertTrue(p.accuracy() >= 0 && p.accuracy() <= 1 && p.majority() > 0, probe.toString());
            // twins: CLIP tells a portrait with sunglasses from the same portrait without, and ranks it closer to the prompt
            var twins = eval.clipTwins(WorldEval.TARGETS, 8000, 40);
            assertEquals(8, twins.size(), "every human-attribute prompt has twins (not the two species prompts): " + twins.keySet());
            var sun = twins.get("sunglasses");
            assertEquals(40, sun.pairs());
            assertTrue(sun.higher() > 0.9 && sun.gain() > 0.05 && sun.cosine() < 0.98, sun.toString());
            var smiling = twins.get("smiling");
            assertTrue(smiling.higher() > 0.9 && smiling.cosine() < 0.95, "a smile is seen and ranked right (set v2: 0.997, 61%): " + smiling);
            for (var t : twins.values()) assertTrue(t.cosine() > 0 && t.cosine() <= 1 + 1e-6 && t.higher() >= 0 && t.higher() <= 1, twins.toString());
            // facial hair is edited onto men only: the world has no bearded women
            WorldEval.Target beard = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("beard")).findFirst().orElseThrow();
            int presentation = AttributeCategory.ALL.indexOf(AttributeCategory.PRESENTATION);
            for (int s : eval.eligibleSeeds(beard, 4, 400)) {
                int[] classes = classifier.predict(eval.image(eval.wplus(s))).classes()[0];
                assertEquals("man", AttributeCategory.PRESENTATION.classNames().get(classes[presentation]), "seed " + s);
            }
            // an image scored against itself: nothing changed
            Tensor img = eval.image(eval.wplus(seeds.get(0)));
            WorldEval.Row same = eval.score(purple, "none", img, img);
            assertEquals(1.0, same.preservation(), 0.0);
            assertEquals("none", same.mostChanged(3));
        }
    }

    @Test
    void everyBundledMapperFitsTheGeneratorAndEditsTheLatent() throws Exception {
        var prompts = BundledModels.mapperPrompts();
        assertTrue(prompts.size() >= 3, "mappers for a few prompts are shipped: " + prompts);
        try (Generator g = Generator.load(BundledModels.path(BundledModels.GENERATOR));
             ClipModel clip = ClipModel.load(BundledModels.path(BundledModels.CLIP)); PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            ClipLoss loss = ClipLoss.forModel(clip, g.config().size());
            org.bytedeco.pytorch.TensorVector rows = new org.bytedeco.pytorch.TensorVector();
            for (long seed : new long[] {3, 4, 5, 6}) rows.push_back(g.mapping(dev.styleclip.stylegan2.Latents.seedZ(seed, g.config().styleDim())));
            Tensor w = g.toWPlus(org.bytedeco.pytorch.global.torch.cat(rows, 0));
            for (String prompt : prompts) {
                var ckpt = dev.styleclip.edit.mapper.MapperCheckpoint.read(BundledModels.path(BundledModels.mapperName(prompt)));
                assertEquals(g.config().styleDim(), ckpt.width(), prompt);
                assertEquals(prompt, ckpt.opts().get("description"));
                assertTrue(!ckpt.hasDecoder(), "shipped without the decoder");
                try (var mapper = ckpt.mapper()) {
                    Tensor edited = mapper.edit(w);
                    double moved = dev.styleclip.tensor.Tensors.maxAbsDiff(edited, w);
                    assertTrue(moved > 1e-3 && moved < 10, prompt + ": the mapper moves w by " + moved);
                    // and towards its prompt: CLIP's similarity to it rises on average over the batch
                    Tensor sim = similarity(clip, loss, g.synthesize(edited, dev.styleclip.stylegan2.NoiseMode.CONST), prompt)
                            .sub(similarity(clip, loss, g.synthesize(w, dev.styleclip.stylegan2.NoiseMode.CONST), prompt));
                    assertTrue(sim.mean().item_double() > 0.02, prompt + ": CLIP similarity gains " + java.util.Arrays.toString(
                            dev.styleclip.tensor.Tensors.toFloatArray(sim)));
                }
            }
        }
    }

    /** Cosine of each image [B, 3, S, S] with the prompt's text embedding, [B]. */
    private static Tensor similarity(ClipModel clip, ClipLoss loss, Tensor images, String prompt) {
        Tensor img = clip.encodeImage(loss.fit(images.clamp(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(-1)),
                new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(1)))));
        Tensor txt = clip.encodeText(dev.styleclip.clip.tokenizer.ClipTokenizer.load().tokenize(java.util.List.of(prompt),
                dev.styleclip.clip.tokenizer.TruncationPolicy.TRUNCATE));
        img = img.div(img.norm(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(2)), new long[] {1}, true));
        txt = txt.div(txt.norm(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(2)), new long[] {1}, true));
        return img.matmul(txt.t()).squeeze(1);
    }

    /**
     * On the bundled CLIP, plain latent optimization towards "sunglasses" mostly changes the hair; averaging the
     * loss over nearby latents ({@link dev.styleclip.edit.optimize.LatentSmoothing}) puts the sunglasses on, with
     * world eval's settings. Deterministic: the seeds, the offsets and the engine's single thread are fixed.
     */
    @Test
    void smoothingPutsTheSunglassesOnWherePlainOptimizationDoesNot() throws Exception {
        try (Models m = Models.load(); PointerScope scope = new PointerScope()) {
            WorldEval eval = m.eval();
            WorldEval.Target sunglasses = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("sunglasses")).findFirst().orElseThrow();
            var seeds = eval.eligibleSeeds(sunglasses, 10, 200);
            var plain = new LatentOptimization.Settings("", OptimizationMode.EDIT, OptimizationSpace.W_PLUS, 25, 0.1, 0.02, 0);
            WorldEval.Row without = eval.evaluate(sunglasses, "optimize", eval.optimize(plain), seeds);
            WorldEval.Row with = eval.evaluate(sunglasses, "optimize",
                    eval.optimize(plain.withSmoothing(new dev.styleclip.edit.optimize.LatentSmoothing(4, 0.6, 0))), seeds);
            System.out.printf("sunglasses on %d seeds: plain %.0f%%, smoothed %.0f%% success%n", seeds.size(),
                    100 * without.success(), 100 * with.success());
            assertTrue(with.success() >= 0.7 && with.success() >= without.success() + 0.3,
                    "smoothed " + with.success() + " against plain " + without.success());
        }
    }

    @Test
    void aMissingBundledFileIsNamed() {
        var e = assertThrows(IllegalStateException.class, () -> BundledModels.path("no-such-model.pt"));
        assertTrue(e.getMessage().contains("no-such-model.pt"));
        assertEquals("mohawk_hairstyle", BundledModels.slug("  Mohawk hairstyle! "));
    }
}
