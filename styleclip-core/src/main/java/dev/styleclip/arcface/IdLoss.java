package dev.styleclip.arcface;

import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The identity loss of StyleCLIP's latent optimization: mirrors {@code IDLoss} in criteria/id_loss.py.
 * <pre>
 *   extract_feats(x) = facenet(AdaptiveAvgPool2d(112)(pool256(x)[:, :, 35:223, 32:220]))
 *                      with pool256 = AdaptiveAvgPool2d(256) unless H == 256
 *   loss(y_hat, y)   = mean_i (1 - &lt;extract_feats(y_hat)_i, extract_feats(y)_i.detach()&gt;)
 * </pre>
 * No mean/std normalisation: generator images in [-1, 1] go in as they are. The reference also returns
 * {@code sim_improvement}, which is always 0 (a counter it never increments), so it is left out.
 *
 * <p>Owns its {@link Backbone} ({@link #close()} frees it). The gradient flows to {@code y_hat} only.
 */
public final class IdLoss implements AutoCloseable {
    /** id_loss.py's self.pool: images are brought to 256x256 (the FFHQ-aligned face layout) unless H is 256. */
    public static final int POOL_SIZE = 256;
    /** The face box in the 256x256 image: rows [35, 223), cols [32, 220) (188x188), as id_loss.py crops. */
    public static final int CROP_TOP = 35, CROP_LEFT = 32, CROP_SIZE = 188;

    private final Backbone facenet;

    /** Takes ownership of {@code facenet}. */
    public IdLoss(Backbone facenet) {
        this.facenet = facenet;
    }

    /** IDLoss with the weights of {@code model_ir_se50.pth} (opts.ir_se50_weights). */
    public static IdLoss load(Path irSe50Weights) throws IOException {
        return new IdLoss(Backbone.load(irSe50Weights));
    }

    public Backbone facenet() {
        return facenet;
    }

    /**
     * The facenet's input: image [N, 3, H, W] -> [N, 3, 112, 112]. The reference skips the 256 pooling when H is
     * 256 whatever W is; a 256-row image that is not 256 wide is rejected rather than cropped unscaled.
     */
    public Tensor faceInput(Tensor image) {
        Tensors.checkShape("image", image, -1, 3, -1, -1);
        long h = image.size(2), w = image.size(3);
        if (h == POOL_SIZE && w != POOL_SIZE) {
            throw new IllegalArgumentException("image is " + h + "x" + w + ": a 256-row image must be 256x256 "
                    + "(IDLoss skips its 256x256 pooling by height alone)");
        }
        Tensor x = h == POOL_SIZE ? image : IrSeOps.adaptiveAvgPool(image, POOL_SIZE, POOL_SIZE);
        x = x.narrow(2, CROP_TOP, CROP_SIZE).narrow(3, CROP_LEFT, CROP_SIZE); // [N, 3, 188, 188]
        int size = IrSeConfig.INPUT_SIZE;
        return IrSeOps.adaptiveAvgPool(x, size, size); // [N, 3, 112, 112]
    }

    /** extract_feats: the unit-norm identity embedding [N, emb] of images [N, 3, H, W]. */
    public Tensor embed(Tensor image) {
        return facenet.forward(faceInput(image));
    }

    /** The target's embedding, computed without autograd (the reference's {@code y_feats.detach()}). */
    public Tensor targetEmbedding(Tensor y) {
        try (NoGradGuard g = new NoGradGuard()) {
            return embed(y.detach());
        }
    }

    /** loss(y_hat, y): a 0-dim tensor; both images [N, 3, H, W] of the same shape. */
    public Tensor loss(Tensor yHat, Tensor y) {
        Tensors.checkShape("y", y, yHat.shape());
        return lossToTarget(yHat, targetEmbedding(y));
    }

    /**
     * The same loss against a target embedding computed once with {@link #targetEmbedding} (the optimization
     * loop's target image does not change between steps, so this gives the reference's value at half the work).
     */
    public Tensor lossToTarget(Tensor yHat, Tensor targetEmbedding) {
        Tensor e = embed(yHat); // [N, emb]
        Tensors.checkShape("target embedding", targetEmbedding, e.shape());
        Tensor dots = e.mul(targetEmbedding.detach()).sum(1); // [N]: <e(y_hat_i), e(y_i)>
        return dots.neg().add(new Scalar(1.0)).mean(); // mean_i (1 - dot_i)
    }

    @Override
    public void close() {
        facenet.close();
    }
}
