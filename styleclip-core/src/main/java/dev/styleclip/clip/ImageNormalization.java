package dev.styleclip.clip;

/** What {@link GeneratorImageRecipe} does to pixel values after resizing a generator image to CLIP's input size. */
public enum ImageNormalization {
    /**
     * Nothing: the generator's nominal [-1, 1] image goes into CLIP as it is. This is what StyleCLIP's
     * {@code CLIPLoss} (criteria/clip_loss.py) does, and what its mapper and optimisation results were made with.
     */
    NONE,
    /**
     * Maps [-1, 1] to [0, 1], then applies CLIP's own {@code Normalize(mean, std)}
     * ({@link dev.styleclip.clip.preprocess.ClipImagePreprocess#MEAN}, {@code STD}), so the image is in the range
     * CLIP was trained on (as StyleGAN-NADA's CLIP loss does). Not StyleCLIP's behaviour.
     */
    CLIP_MEAN_STD;

    /** Below this input side a CLIP is one of the project's world CLIPs (every published CLIP takes 224 px or more). */
    public static final int PUBLISHED_MIN_SIDE = 224;

    /**
     * The normalisation a model wants: {@link #CLIP_MEAN_STD} for the project's own small CLIPs (input side below
     * {@link #PUBLISHED_MIN_SIDE}; {@code ClipTrainer} trains them on normalised pixels), {@link #NONE} for the
     * published ones (StyleCLIP's recipe, which the reference results were made with).
     */
    public static ImageNormalization forModel(ClipModel model) {
        return model.config().imageResolution() < PUBLISHED_MIN_SIDE ? CLIP_MEAN_STD : NONE;
    }
}
