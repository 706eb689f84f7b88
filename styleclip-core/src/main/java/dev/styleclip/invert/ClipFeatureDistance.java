package dev.styleclip.invert;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.GeneratorImageRecipe;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The CLIP-feature distance: a perceptual distance between two images measured inside a CLIP image tower, in the
 * manner of LPIPS (Zhang et al. 2018) but without its learned layer weights (the VGG weights LPIPS needs are not
 * available here). Each image is fitted to CLIP's input by StyleCLIP's recipe ({@link GeneratorImageRecipe}) with
 * CLIP's mean and std (features are compared where the tower was trained to look); the residual stream after a few
 * blocks ({@link #blocksFor}) is taken, each token's feature vector is scaled to unit length, and the distance of a
 * block is the squared difference summed over channels and averaged over tokens. The distance is the mean over the
 * blocks: 0 for identical images, at most 4.
 *
 * <p>The model is borrowed, not owned. Its weights never require gradients; the distance is differentiable in the
 * images.
 */
public final class ClipFeatureDistance {
    private static final double EPS = 1e-10; // LPIPS's normalize_tensor

    private final ClipModel model;
    private final int styleganSize;
    private final int[] blocks;

    /** @param styleganSize side of the generator images compared */
    public ClipFeatureDistance(ClipModel model, int styleganSize) {
        this(model, styleganSize, blocksFor(model.visionLayers()));
    }

    /** @param blocks 1-based block counts, ascending, in [1, layers] */
    public ClipFeatureDistance(ClipModel model, int styleganSize, int... blocks) {
        this.model = model;
        this.styleganSize = styleganSize;
        this.blocks = blocks.clone();
        for (int i = 0; i < blocks.length; i++) {
            if (blocks[i] < 1 || blocks[i] > model.visionLayers() || (i > 0 && blocks[i] <= blocks[i - 1])) {
                throw new IllegalArgumentException("blocks " + Arrays.toString(blocks) + " must be ascending counts in [1, "
                        + model.visionLayers() + "]");
            }
        }
        if (blocks.length == 0) throw new IllegalArgumentException("the CLIP-feature distance needs at least one block");
    }

    /**
     * The blocks compared for a tower of {@code layers} blocks: after a quarter, half, three quarters and all of them
     * (rounded up; 3, 6, 9, 12 for ViT-B/32; 1, 2, 3, 4 for the bundled CLIP), from features close to the pixels to
     * the ones the embedding is made of.
     */
    public static int[] blocksFor(int layers) {
        return java.util.stream.IntStream.rangeClosed(1, 4).map(q -> (q * layers + 3) / 4).distinct().filter(b -> b >= 1).toArray();
    }

    public int[] blocks() {
        return blocks.clone();
    }

    /** The unit-normalised token features of each compared block, {@code [N, tokens, width]} each. */
    public List<Tensor> features(Tensor image) {
        Tensors.checkShape("image", image, -1, 3, styleganSize, styleganSize);
        Tensor x = GeneratorImageRecipe.apply(image, styleganSize, ImageNormalization.CLIP_MEAN_STD, model.config().imageResolution());
        List<Tensor> out = new ArrayList<>(blocks.length);
        for (Tensor f : model.imageBlockOutputs(x, blocks)) {
            Tensor norm = torch.linalg_vector_norm(f, new Scalar(2.0), new long[] {-1}, true, new ScalarTypeOptional()); // [N, T, 1]
            out.add(f.div(norm.add(new Scalar(EPS))));
        }
        return out;
    }

    /** The features of a fixed target, without autograd. */
    public List<Tensor> targetFeatures(Tensor target) {
        try (NoGradGuard ng = new NoGradGuard()) {
            return features(target.detach());
        }
    }

    /** The distance per image between {@code image} and {@code target}, both [N, 3, S, S]: [N]. */
    public Tensor distance(Tensor image, Tensor target) {
        return distanceTo(image, targetFeatures(target));
    }

    /** The distance per image to features from {@link #targetFeatures}: [N]. */
    public Tensor distanceTo(Tensor image, List<Tensor> target) {
        List<Tensor> f = features(image);
        Tensor total = null;
        for (int i = 0; i < f.size(); i++) {
            Tensors.checkShape("target features", target.get(i), f.get(i).shape());
            Tensor d = f.get(i).sub(target.get(i)).square().sum(new long[] {2}, false, new ScalarTypeOptional())
                    .mean(new long[] {1}, false, new ScalarTypeOptional()); // [N, T, C] -> [N, T] -> [N]
            total = total == null ? d : total.add(d);
        }
        return total.div(new Scalar((double) f.size()));
    }
}
