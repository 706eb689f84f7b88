package dev.styleclip.edit.global;

import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * The per-channel CLIP relevance matrix fs3 from CLIP image features of channel-manipulated images
 * (global_torch/SingleChannel.py {@code GetFs}): features normalised, difference (+k sigma) - (-k sigma)
 * per image, normalised, averaged over images, normalised.
 */
public final class ChannelRelevance {
    private ChannelRelevance() {
    }

    /**
     * @param allF [R, M, 2, D] raw image features (row, image, alpha -k/+k, feature)
     * @return fs3 [R, D]
     */
    public static Tensor fromFeatures(Tensor allF) {
        Tensors.checkShape("all_f", allF, -1, -1, 2, -1);
        Tensor f1 = allF.div(norm(allF, 3));
        Tensor d = f1.select(2, 1).sub(f1.select(2, 0)); // [R, M, D]
        Tensor d1 = d.div(norm(d, 2));
        Tensor mean = d1.mean(new long[] {1}, false, new ScalarTypeOptional()); // [R, D]
        return mean.div(norm(mean, 1));
    }

    private static Tensor norm(Tensor x, long dim) {
        return x.square().sum(new long[] {dim}, true, new ScalarTypeOptional()).sqrt();
    }
}
