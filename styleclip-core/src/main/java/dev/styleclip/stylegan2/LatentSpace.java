package dev.styleclip.stylegan2;

/** The latent spaces a latent file or an edit can live in. */
public enum LatentSpace {
    /** Gaussian input z [N, D], mapped to w by the mapping network. */
    Z,
    /** Intermediate latent w [N, D], one vector broadcast to every synthesis layer. */
    W,
    /** Extended latent W+ [N, n_latent, D], one vector per layer. */
    W_PLUS;

    /** Parses the command-line names z, w, w+ (also wplus). */
    public static LatentSpace parse(String s) {
        return switch (s.toLowerCase()) {
            case "z" -> Z;
            case "w" -> W;
            case "w+", "wplus", "w_plus" -> W_PLUS;
            default -> throw new IllegalArgumentException("unknown latent space '" + s + "' (expected z, w or w+)");
        };
    }
}
