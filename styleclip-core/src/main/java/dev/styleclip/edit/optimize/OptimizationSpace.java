package dev.styleclip.edit.optimize;

/** Where latent optimization moves the image. */
public enum OptimizationSpace {
    /** One 512-d vector per synthesis layer (run_optimization.py's default). */
    W_PLUS,
    /** Style space: every non-ToRGB S entry ({@code --work_in_stylespace}); ToRGB entries stay fixed. */
    S
}
