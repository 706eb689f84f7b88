package dev.styleclip.invert;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * How far a generated image is from its target, for inversion by optimization ({@link Projector}) and for training an
 * encoder: {@code mse * MSE + ssim * (1 - SSIM) + clipFeatures * CLIP-feature distance + id * ID loss}, each term a
 * mean over the batch.
 *
 * <ul>
 *   <li>MSE: the mean squared difference of the [-1, 1] values (projector.py's {@code F.mse_loss(img_gen, imgs)}).</li>
 *   <li>SSIM: {@link ImageMetrics#ssim} on [0, 1] values.</li>
 *   <li>CLIP-feature distance: {@link ClipFeatureDistance}, in the place LPIPS takes in rosinality's projector.py
 *       (LPIPS's VGG weights cannot be obtained here).</li>
 *   <li>ID loss: {@link IdLoss} (1 - the cosine of ArcFace IR-SE50 embeddings), for faces, when its weights are given.</li>
 * </ul>
 * As projector.py does, images larger than {@link #MAX_SIDE} are compared after a 2^k x 2^k average pool down to 256
 * pixels (both the image and the target).
 *
 * <p>Borrows its models. Differentiable in the image; the target's features are computed once by {@link #target}.
 */
public final class InversionLoss {
    /** The side images are compared at, at most: projector.py pools larger generator images down to 256. */
    public static final int MAX_SIDE = 256;

    /**
     * The weights of the terms, named as the command line names them.
     *
     * @param mse          weight of the pixel MSE ({@code mse-lambda})
     * @param ssim         weight of 1 - SSIM ({@code ssim-lambda})
     * @param clipFeatures weight of the CLIP-feature distance ({@code clip-feature-lambda})
     * @param id           weight of the ArcFace identity loss ({@code id-lambda}; above 0 it needs IR-SE50 weights)
     */
    public record Weights(double mse, double ssim, double clipFeatures, double id) {
        public Weights {
            Checks.nonNegative("mse-lambda", mse);
            Checks.nonNegative("ssim-lambda", ssim);
            Checks.nonNegative("clip-feature-lambda", clipFeatures);
            Checks.nonNegative("id-lambda", id);
            if (mse == 0 && ssim == 0 && clipFeatures == 0 && id == 0) {
                throw new SettingException("mse-lambda", "must be above 0 when the other loss weights are 0 (nothing would compare the images)");
            }
        }

        public Weights withId(double w) {
            return new Weights(mse, ssim, clipFeatures, w);
        }
    }

    /**
     * The values of one comparison, each a 0-dim tensor (batch means; a term of weight 0 is not computed and is 0).
     *
     * @param ssimLoss 1 - SSIM
     * @param total    the weighted sum, differentiable in the image
     */
    public record Terms(Tensor mse, Tensor ssimLoss, Tensor clipFeatures, Tensor id, Tensor total) {
    }

    /** A target prepared once: the image at the compared size and its features (no autograd). */
    public record Target(Tensor image, List<Tensor> clipFeatures, Tensor idEmbedding) {
    }

    private final Weights weights;
    private final ClipFeatureDistance clip;
    private final IdLoss id;

    /**
     * @param clip may be null when {@code weights.clipFeatures()} is 0
     * @param id   may be null when {@code weights.id()} is 0
     */
    public InversionLoss(Weights weights, ClipFeatureDistance clip, IdLoss id) {
        this.weights = Checks.given("weights", weights);
        if (weights.clipFeatures() > 0 && clip == null) {
            throw new IllegalArgumentException("a CLIP-feature weight above 0 needs a CLIP model");
        }
        if (weights.id() > 0 && id == null) {
            throw new SettingException("id-lambda", "needs the IR-SE50 weights (model_ir_se50.pth); give them, or set it to 0");
        }
        this.clip = clip;
        this.id = id;
    }

    public Weights weights() {
        return weights;
    }

    /** The total loss of {@code image} against {@code target}, both [N, 3, S, S] in [-1, 1]: a 0-dim tensor. */
    public Tensor forward(Tensor image, Tensor target) {
        return terms(image, target(target)).total();
    }

    /** Prepares a fixed target [N, 3, S, S] once, for many {@link #terms} calls. */
    public Target target(Tensor target) {
        Tensors.checkShape("target", target, -1, 3, -1, -1);
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor t = atComparedSize(target.detach()); // [N, 3, S', S'], S' = min(S, 256)
            List<Tensor> features = weights.clipFeatures() > 0 ? clip.targetFeatures(target.detach()) : null;
            Tensor embedding = weights.id() > 0 ? id.targetEmbedding(t) : null;
            return new Target(t, features, embedding);
        }
    }

    /** Every term of {@code image} [N, 3, S, S] against a prepared target. */
    public Terms terms(Tensor image, Target target) {
        Tensors.checkShape("image", image, -1, 3, -1, -1);
        Tensor x = atComparedSize(image);
        Tensors.checkShape("image at the compared size", x, target.image().shape());
        Tensor zero = torch.zeros(new long[] {});
        Tensor mse = weights.mse() > 0 ? x.sub(target.image()).square().mean() : zero;
        Tensor ssim = weights.ssim() > 0 ? ImageMetrics.ssim(x, target.image()).mean().neg().add(new Scalar(1.0)) : zero;
        Tensor clipD = weights.clipFeatures() > 0 ? clip.distanceTo(image, target.clipFeatures()).mean() : zero;
        Tensor idL = weights.id() > 0 ? id.lossToTarget(x, target.idEmbedding()) : zero;
        Tensor total = mse.mul(new Scalar(weights.mse())).add(ssim.mul(new Scalar(weights.ssim())))
                .add(clipD.mul(new Scalar(weights.clipFeatures()))).add(idL.mul(new Scalar(weights.id())));
        return new Terms(mse, ssim, clipD, idL, total);
    }

    /** projector.py's pooling: a side above 256 is averaged over (S / 256) x (S / 256) blocks. */
    static Tensor atComparedSize(Tensor image) {
        long side = image.size(2);
        if (side <= MAX_SIDE) return image;
        long k = side / MAX_SIDE;
        return torch.avg_pool2d(image, new long[] {k, k}, new long[] {k, k}, new long[] {0, 0}, false, true, new LongOptional()); // [N, 3, S / k, S / k]
    }
}
