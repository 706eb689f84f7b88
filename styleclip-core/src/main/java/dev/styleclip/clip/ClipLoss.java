package dev.styleclip.clip;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * StyleCLIP's CLIP loss: {@code CLIPLoss.forward(image, text) = 1 - model(avg_pool(upsample(image)), text)[0] / 100},
 * mirroring orpatashnik/StyleCLIP {@code criteria/clip_loss.py}. The image goes through
 * {@link GeneratorImageRecipe}; the result has shape [N_image, N_text] and is differentiable in the image (the
 * mapper coach takes its mean, run_optimization its sum over one text).
 *
 * <p>The {@code / 100} assumes exp(logit_scale) = 100, OpenAI's trained value; the constructor keeps it for any
 * model (so with another scale the loss is not 1 - cosine, as in the reference). {@link #forModel} divides the
 * project's own small CLIPs by their learned scale instead (about 16 for the bundled one), so that the loss is
 * 1 - cosine as with OpenAI's models and StyleCLIP's loss weights (l2 0.008, the mapper's 0.8) keep their meaning. The model is borrowed, not owned: close it yourself.
 * Where StyleCLIP hard-codes {@code clip.load("ViT-B/32", device="cuda")}, the model is an argument here.
 */
public final class ClipLoss {
    /** The divisor of the reference: exp(logit_scale) of OpenAI's models. */
    public static final double LOGIT_DIVISOR = 100.0;

    private final ClipModel model;
    private final int styleganSize;
    private final ImageNormalization normalization;
    private final double divisor;

    /**
     * @param model         the CLIP model (borrowed)
     * @param styleganSize  side of the generator images ({@code opts.stylegan_size}), a multiple of 32
     * @param normalization {@link ImageNormalization#NONE} for StyleCLIP's behaviour
     */
    public ClipLoss(ClipModel model, int styleganSize, ImageNormalization normalization) {
        this(model, styleganSize, normalization, LOGIT_DIVISOR);
    }

    private ClipLoss(ClipModel model, int styleganSize, ImageNormalization normalization, double divisor) {
        this.model = model;
        this.styleganSize = styleganSize;
        this.normalization = normalization;
        this.divisor = divisor;
    }

    /**
     * The loss a model wants: for a published CLIP, StyleCLIP's (no normalisation, / 100); for one of the project's
     * small CLIPs (input side below {@link ImageNormalization#PUBLISHED_MIN_SIDE}), CLIP mean/std and division by the
     * model's own exp(logit_scale), i.e. 1 - cosine.
     */
    public static ClipLoss forModel(ClipModel model, int styleganSize) {
        ImageNormalization n = ImageNormalization.forModel(model);
        return new ClipLoss(model, styleganSize, n, n == ImageNormalization.CLIP_MEAN_STD ? model.logitScaleExp() : LOGIT_DIVISOR);
    }

    /** What the logits are divided by: 100 (StyleCLIP), or the model's exp(logit_scale) ({@link #forModel}). */
    public double divisor() {
        return divisor;
    }

    /**
     * @param image  generator images [N_image, 3, S, S]
     * @param tokens token ids [N_text, 77] (int32 or int64)
     * @return 1 - logits_per_image / 100, [N_image, N_text]
     */
    public Tensor forward(Tensor image, Tensor tokens) {
        return similarityLoss(model.forward(fit(image), tokens));
    }

    /** As {@link #forward(Tensor, Tensor)}, with token ids as {@code ClipTokenizer.tokenize} returns them. */
    public Tensor forward(Tensor image, int[][] tokens) {
        return similarityLoss(model.forward(fit(image), tokens));
    }

    /**
     * As {@link #forward(Tensor, int[][])}, averaged over the next random views of {@code views} (the image as it is
     * when the sampler has no views).
     *
     * @return [N_image, N_text]
     */
    public Tensor forward(Tensor image, int[][] tokens, ClipViews.Sampler views) {
        long n = image.size(0);
        Tensor loss = similarityLoss(model.forward(views.apply(fit(image)), tokens)); // [K * N, T], view-major
        long k = loss.size(0) / n;
        return k == 1 ? loss : loss.reshape(k, n, loss.size(1)).mean(0);
    }

    /**
     * CLIP's cosine similarity between generator images and texts, the images fit as the loss fits them: the figure a
     * user reads ("did the edit move towards the prompt?"), without the loss's logit scale.
     *
     * @param image  generator images [N_image, 3, S, S]
     * @param tokens token ids of the texts
     * @return [N_image, N_text]
     */
    public Tensor cosine(Tensor image, int[][] tokens) {
        try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
            Tensor i = unit(model.encodeImage(fit(image)));
            Tensor t = unit(model.encodeText(tokens));
            return i.matmul(t.t());
        }
    }

    private static Tensor unit(Tensor x) {
        return x.div(x.norm(new org.bytedeco.pytorch.ScalarOptional(new Scalar(2)), new long[] {1}, true));
    }

    /** The generator image as this CLIP takes it: {@link GeneratorImageRecipe}, to the model's input side. */
    public Tensor fit(Tensor image) {
        int side = model.config().imageResolution();
        return side == GeneratorImageRecipe.OUTPUT_SIZE
                ? GeneratorImageRecipe.apply(image, styleganSize, normalization)
                : GeneratorImageRecipe.apply(image, styleganSize, normalization, side);
    }

    private Tensor similarityLoss(ClipModel.Logits logits) {
        return logits.perImage().div(new Scalar(divisor)).neg().add(new Scalar(1.0)); // 1 - logits / 100
    }

    public int styleganSize() {
        return styleganSize;
    }

    public ImageNormalization normalization() {
        return normalization;
    }
}
