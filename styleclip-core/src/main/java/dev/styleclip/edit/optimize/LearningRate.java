package dev.styleclip.edit.optimize;

/**
 * run_optimization.py's {@code get_lr}: a linear ramp-up over the first 5% of the run (so step 0 has lr 0)
 * and a cosine ramp-down over the last 25%. The {@code --lr_rampup} option of the reference is parsed but
 * never used; these are its hard-coded values.
 */
public final class LearningRate {
    public static final double RAMPDOWN = 0.25;
    public static final double RAMPUP = 0.05;

    private LearningRate() {
    }

    /** @param t progress i / steps in [0, 1) */
    public static double at(double t, double initial) {
        double ramp = Math.min(1.0, (1.0 - t) / RAMPDOWN);
        ramp = 0.5 - 0.5 * Math.cos(ramp * Math.PI);
        ramp = ramp * Math.min(1.0, t / RAMPUP);
        return initial * ramp;
    }
}
