package dev.styleclip.bundled;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.train.classifier.AttributeClassifier;
import org.bytedeco.pytorch.Tensor;

/** The bundled generator, CLIP and classifier, loaded together and closed together. */
record BundledSet(Generator g, ClipModel clip, AttributeClassifier classifier) implements AutoCloseable {
    static BundledSet load() throws java.io.IOException {
        Generator g = Generator.load(BundledModels.path(BundledModels.GENERATOR));
        try {
            ClipModel clip = ClipModel.load(BundledModels.path(BundledModels.CLIP));
            try {
                return new BundledSet(g, clip, AttributeClassifier.load(BundledModels.path(BundledModels.CLASSIFIER)));
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
        return new WorldEval(g, clip, ClipLoss.forModel(clip, g.config().size()), classifier, OptimizationPreset.BUNDLED.truncation());
    }

    @Override
    public void close() {
        classifier.close();
        clip.close();
        g.close();
    }

    /** CLIP's cosine of each image [B, 3, S, S], clamped to [-1, 1], with the prompt: [B]. */
    static Tensor similarity(ClipLoss loss, Tensor images, String prompt) {
        Tensor clamped = images.clamp(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(-1)),
                new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(1)));
        return loss.cosine(clamped, dev.styleclip.clip.tokenizer.ClipTokenizer.load().tokenize(java.util.List.of(prompt),
                dev.styleclip.clip.tokenizer.TruncationPolicy.TRUNCATE)).squeeze(1);
    }
}
