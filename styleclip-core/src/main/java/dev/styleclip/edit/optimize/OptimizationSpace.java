package dev.styleclip.edit.optimize;

/** Where latent optimization moves the image. */
public enum OptimizationSpace {
    /** One 512-d vector per synthesis layer (run_optimization.py's default). */
    W_PLUS,
    /**
     * One offset in W added to every W+ row: the edit moves the image as a change of w would, which keeps it
     * nearer the images the generator was trained to make (not in the reference).
     */
    W,
    /** Style space: every non-ToRGB S entry ({@code --work_in_stylespace}); ToRGB entries stay fixed. */
    S;

    /** w+ (or wplus), w or s, any case, as the command line names them. */
    public static OptimizationSpace parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "w+", "wplus" -> W_PLUS;
            case "w" -> W;
            case "s" -> S;
            default -> throw new IllegalArgumentException("the optimization space must be w+, w or s, got '" + name + "'");
        };
    }
}
