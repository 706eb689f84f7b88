package dev.styleclip.bundled;

import dev.styleclip.tensor.Tensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.edit.optimize.PromptPull;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.AttributeCategory;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class BundledModelsTest {
    @Test
    void theBundledModelsLoadAndAnEditMovesTheImageTowardsThePrompt() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope()) {
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
            var later = eval.eligibleSeeds(purple, 2, 5000, 100);
            assertEquals(2, later.size());
            assertTrue(later.stream().allMatch(x -> x >= 5000 && x < 5100) && later.get(0) < later.get(1), "held-out seeds: " + later);
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
            assertTrue(auc.get("smiling") > 0.9, "the CLIP sees the mouth: " + auc);
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
            assertTrue(smiling.higher() > 0.9 && smiling.cosine() < 0.95, "a smile is seen and ranked right: " + smiling);
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

    /**
     * The judge reads the generator's samples (world eval's first lines, on the same 200 seeds): the 3000-step
     * classifier agrees with the latents' intended attributes on 89.4% (the 1200-step one it replaced: 86.6%), reads
     * makeup well enough to count it (73%; before: 65%) and the mouth's expression (95%; before: 84%); eye colour,
     * which the generator hardly draws, it cannot read, and preservation leaves it out.
     */
    @Test
    void theBundledJudgeReadsTheGeneratorsSamples() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope()) {
            WorldEval.Recognition r = m.eval().recognition(200);
            assertEquals(200, r.samples());
            assertTrue(r.confidentSpecies() >= 0.99, r.toString());
            assertTrue(r.agreementWithPrior() >= 0.88, r.toString());
            var by = r.agreementByCategory();
            assertTrue(by.get("makeup") >= 0.7 && by.get("expression") >= 0.9 && by.get("facial_hair") >= 0.85, by.toString());
            assertTrue(by.get("eye_color") < 0.7, "eye colour is not read, so not judged: " + by);
        }
    }

    /**
     * The bundled CLIP pulls on the latent about four times harder for "lion" than for "without makeup" (0.28 against
     * 0.07 at the time of writing), so the default L1 weight, which leaves the lion's coordinates free, would hold every
     * coordinate of the make-up edit where it was: a cap at half the prompt's pull (--l1-pull-share 0.5, the bundled
     * default before the loose retry replaced it) lowers it for that prompt and leaves the lion's.
     */
    @Test
    void thePromptsPullLowersTheL1WeightForAWeaklyPulledPromptOnly() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope()) {
            ClipLoss loss = ClipLoss.forModel(m.clip(), m.g().config().size());
            var tokenizer = dev.styleclip.clip.tokenizer.ClipTokenizer.load();
            java.util.function.ToDoubleFunction<String> pull = p -> PromptPull.of(m.g(), loss,
                    tokenizer.tokenize(java.util.List.of(p), dev.styleclip.clip.tokenizer.TruncationPolicy.ERROR), OptimizationSpace.W);
            double lion = pull.applyAsDouble("lion"), makeup = pull.applyAsDouble("without makeup");
            assertTrue(lion > 2.5 * makeup, "lion " + lion + ", without makeup " + makeup);
            int rows = m.g().config().nLatent();
            double share = 0.5, l1 = dev.styleclip.edit.optimize.OptimizationPreset.BUNDLED.l1Lambda();
            assertEquals(l1, PromptPull.cappedL1(l1, share, lion, rows), 0, "lion keeps the full weight");
            assertTrue(PromptPull.cappedL1(l1, share, makeup, rows) < 0.5 * l1, "without makeup: " + PromptPull.cappedL1(l1, share, makeup, rows));
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
                    Tensor sim = BundledSet.similarity(loss, g.synthesize(edited, dev.styleclip.stylegan2.NoiseMode.CONST), prompt)
                            .sub(BundledSet.similarity(loss, g.synthesize(w, dev.styleclip.stylegan2.NoiseMode.CONST), prompt));
                    assertTrue(sim.mean().item_double() > 0.02, prompt + ": CLIP similarity gains " + java.util.Arrays.toString(
                            dev.styleclip.tensor.Tensors.toFloatArray(sim)));
                }
            }
        }
    }

    /**
     * The bundled generator's w is a one-hot code per attribute (every class on its own axis, 0.5 along it), it ignores
     * the directions of w that no code reaches, and between two species it stays one species until about the middle,
     * then switches (it learned sharpened crossfades between its codes).
     */
    @Test
    void theGeneratorsCodesAreOneHotAndItSwitchesSpeciesInTheMiddle() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = m.g();
            WorldEval eval = m.eval();
            WorldEval.Target cat = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("cute cat")).findFirst().orElseThrow();
            int seed = eval.eligibleSeeds(cat, 1, 200).get(0); // a human (or a lion)
            Tensor w = g.mapping(dev.styleclip.stylegan2.Latents.seedZ(seed, g.config().styleDim()));
            float[] v = dev.styleclip.tensor.Tensors.toFloatArray(w);
            int hot = 0;
            for (int i = 0; i < 52; i++) if (Math.abs(v[i] - 0.5) < 1e-3) hot++;
            assertEquals(13, hot, "one class of each of the 13 attributes at 0.5");
            int from = Math.abs(v[0] - 0.5) < 1e-3 ? 0 : 2; // species: human on axis 0, cat 1, lion 2
            int species = AttributeCategory.ALL.indexOf(AttributeCategory.SPECIES);
            int[] read = new int[2];
            double[] ts = {1 / 6.0, 5 / 6.0};
            Tensor off = org.bytedeco.pytorch.global.torch.zeros(1, g.config().styleDim());
            off.select(1, 100).fill_(new org.bytedeco.pytorch.Scalar(2.0)); // an axis no code uses
            Tensor base = eval.image(g.toWPlus(w));
            assertTrue(dev.styleclip.tensor.Tensors.maxAbsDiff(base, eval.image(g.toWPlus(w.add(off)))) < 1e-3, "ignored");
            for (int k = 0; k < 2; k++) {
                float[] moved = v.clone();
                moved[from] -= (float) (0.5 * ts[k]);
                moved[1] += (float) (0.5 * ts[k]);
                Tensor img = eval.image(g.toWPlus(dev.styleclip.tensor.Tensors.floats(moved, 1, moved.length)));
                read[k] = m.classifier().predict(img).classes()[0][species];
            }
            assertEquals(from == 0 ? 0 : 2, read[0], "a sixth of the way it is still what it was");
            assertEquals(1, read[1], "five sixths of the way it is a cat");
        }
    }

    /** SHA256SUMS lists every model file of the set, and each unpacks into the cache with that hash. */
    @Test
    void theSumsListEveryBundledFileAndEachUnpacksWithItsHash() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of(BundledModels.class.getResource("/dev/styleclip/bundled/SHA256SUMS").toURI()).getParent();
        java.util.Set<String> files;
        try (var walk = java.nio.file.Files.walk(root)) {
            files = walk.filter(java.nio.file.Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(n -> !java.util.Set.of("SHA256SUMS", "MODELS.md", "mappers/index.txt").contains(n))
                    .collect(java.util.stream.Collectors.toSet());
        }
        assertEquals(files, BundledModels.sums().keySet(), "SHA256SUMS and the bundled files differ");
        for (String f : files) {
            assertEquals(BundledModels.sha256(f), dev.styleclip.io.Hashes.sha256(BundledModels.path(f)), f);
            assertTrue(BundledModels.path(f).startsWith(dev.styleclip.io.CacheDir.root()), "unpacked outside the cache: " + f);
        }
    }

    @Test
    void aMissingBundledFileIsNamed() {
        var e = assertThrows(IllegalStateException.class, () -> BundledModels.path("no-such-model.pt"));
        assertTrue(e.getMessage().contains("no-such-model.pt"));
        assertEquals("mohawk_hairstyle", BundledModels.slug("  Mohawk hairstyle! "));
    }
}
