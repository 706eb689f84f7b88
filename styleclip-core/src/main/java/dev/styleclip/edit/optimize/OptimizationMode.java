package dev.styleclip.edit.optimize;

/** run_optimization.py's {@code --mode}. */
public enum OptimizationMode {
    /** Edit a given image: CLIP loss + l2 to the start latent + identity loss. */
    EDIT,
    /** Generate freely from the mean latent: CLIP loss alone. */
    FREE
}
