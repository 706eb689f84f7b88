package dev.styleclip.bundled;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Latent optimization with the bundled set's settings on the bundled models: what world eval's table rests on. */
class BundledOptimizationTest {
    /**
     * Latent optimization with the bundled set's settings (those of edit and world eval) turns portraits into lions
     * and keeps the rest (world eval's 50 seeds: 94% at 95.8% preservation; docs/evaluation.md). Preservation as world
     * eval counts it. Deterministic: the seeds, the offsets and the engine's single thread are fixed.
     */
    @Test
    void optimizationTurnsPortraitsIntoLions() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope()) {
            WorldEval eval = m.eval();
            // preservation as world eval counts it: over the categories the classifier reads on generator samples (on
            // this set all but eye colour, agreement 41%; README, the evaluation)
            eval.judgeOnly(eval.recognition(200).readable(WorldEval.READABLE));
            WorldEval.Target lion = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("lion")).findFirst().orElseThrow();
            var seeds = eval.eligibleSeeds(lion, 6, 200);
            var settings = bundledOptimization("");
            WorldEval.Row row = eval.evaluate(lion, "optimize", eval.optimize(settings), seeds);
            // here: 4 of 6 at 85.2%; the smoothing offsets drawn depend on the batch, so a batch of 6 is not the table's 50
            assertTrue(row.success() >= 0.65 && row.preservation() >= 0.8, row.toString());
        }
    }

    /**
     * "without makeup" is the prompt the bundled CLIP pulls on most weakly: under the full L1 weight most portraits keep
     * their make-up (16% success on world eval's 50 seeds). The retry optimizes those again with a looser hold, and
     * CLIP's similarity to the prompt of the retried ones rises beyond what the first pass reached.
     */
    @Test
    void theLooseRetryMovesTheMakeupEditsTheFirstPassLeft() throws Exception {
        try (BundledSet m = BundledSet.load(); PointerScope scope = new PointerScope()) {
            WorldEval eval = m.eval();
            WorldEval.Target makeup = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("without makeup")).findFirst().orElseThrow();
            var seeds = eval.eligibleSeeds(makeup, 4, 200);
            var settings = bundledOptimization("without makeup");
            org.bytedeco.pytorch.TensorVector rows = new org.bytedeco.pytorch.TensorVector();
            for (int seed : seeds) {
                rows.push_back(m.g().toWPlus(m.g().mapping(dev.styleclip.stylegan2.Latents.seedZ(seed, m.g().config().styleDim()))));
            }
            Tensor w = org.bytedeco.pytorch.global.torch.cat(rows, 0);
            ClipLoss loss = ClipLoss.forModel(m.clip(), m.g().config().size());
            // the first pass's result is the latent after its last step, which the observer sees before the retry starts
            float[][] firstPass = new float[1][];
            long[][] firstShape = new long[1][];
            var r = new LatentOptimization(m.g(), loss, null).run(w, settings, new LatentOptimization.Observer() {
                boolean retrying;

                @Override
                public void onStep(LatentOptimization.StepLosses l, Tensor image, Tensor latent, Tensor grad) {
                    if (!retrying && l.step() == settings.steps() - 1) {
                        firstPass[0] = Tensors.toFloatArray(latent);
                        firstShape[0] = latent.shape();
                    }
                }

                @Override
                public void onRetry(long[] retried, double l1) {
                    retrying = true;
                }
            });
            assertTrue(r.retried().length > 0, "no seed retried");
            Tensor index = dev.styleclip.tensor.Tensors.longs(r.retried());
            try (NoGradGuard ng = new NoGradGuard()) {
                Tensor onePass = m.g().synthesize(Tensors.floats(firstPass[0], firstShape[0]).index_select(0, index),
                        dev.styleclip.stylegan2.NoiseMode.CONST);
                Tensor first = BundledSet.similarity(loss, onePass, "without makeup");
                Tensor second = BundledSet.similarity(loss, r.finalImage().index_select(0, index), "without makeup");
                double gain = second.sub(first).mean().item_double();
                assertTrue(gain > 0.02, "the retry's similarity gain over " + r.retried().length + " of " + seeds.size() + " seeds: " + gain);
            }
        }
    }

    /** Latent optimization with the bundled set's settings, those of edit and world eval. */
    private static LatentOptimization.Settings bundledOptimization(String prompt) {
        return OptimizationPreset.BUNDLED.settings(prompt, 0);
    }

}
