package dev.styleclip.edit.optimize;

import dev.styleclip.clip.ClipViews;

/**
 * Latent optimization's default settings for a kind of generator, in one place for every front end (the command
 * line's {@code edit}, {@code optimize} and {@code world eval}, the Java API, the web page).
 *
 * @param name        how the preset is named in help and provenance
 * @param space       the latent that moves
 * @param steps       Adam steps
 * @param lr          peak learning rate
 * @param l2Lambda    weight of the squared distance to the start
 * @param l1Lambda    weight of the absolute distance to the start (not in StyleCLIP)
 * @param l1Ramp      share of the steps over which the L1 weight rises from 0 (not in StyleCLIP)
 * @param l1PullShare cap of the L1 weight by the prompt's pull; 0: none (not in StyleCLIP)
 * @param retryBelow  the loose retry's minimum gain; 0: one pass (not in StyleCLIP)
 * @param retryL1     the loose retry's L1 weight
 * @param smooth      latents the CLIP loss is averaged over each step; 0: none (not in StyleCLIP)
 * @param smoothSigma their offsets' standard deviation per W coordinate
 * @param idLambda    weight of the identity loss (needs IR-SE50 weights when above 0)
 * @param truncation  truncation of a seed's latent
 */
public record OptimizationPreset(String name, OptimizationSpace space, int steps, double lr, double l2Lambda, double l1Lambda,
                                 double l1Ramp, double l1PullShare, double retryBelow, double retryL1, int smooth,
                                 double smoothSigma, double idLambda, double truncation) {
    /**
     * The bundled set, chosen with {@code world eval}: one offset in W shared by every row (the generator learned what
     * lies between its codes along shared rows), 25 steps, an L2 weight of 0.01 and an L1 weight of 0.01 to the start
     * (the attribute classes lie 0.5 apart on their own axes of w; the L1 term keeps the axes the prompt pulls weakly
     * where they were, its weight rising from 0 over the run so that the edit first moves), the CLIP loss averaged over
     * 4 latents 0.12 apart per coordinate, and a second pass at L1 0.0035 for a latent whose CLIP cosine to the prompt
     * rose by less than 0.1. No truncation: the generator learned the whole prior.
     */
    public static final OptimizationPreset BUNDLED =
            new OptimizationPreset("bundled", OptimizationSpace.W, 25, 0.1, 0.01, 0.01, 1.0, 0, 0.1, 0.0035, 4, 0.12, 0, 1.0);

    /**
     * {@code edit} on a published generator: StyleCLIP's W+ and L2 weight, 100 steps, the CLIP loss averaged over 4
     * latents 0.6 apart (against a small CLIP this keeps the edit to the prompt), truncation 0.7.
     */
    public static final OptimizationPreset PUBLISHED =
            new OptimizationPreset("published", OptimizationSpace.W_PLUS, 100, 0.1, 0.008, 0, 0, 0, 0, 0, 4, 0.6, 0, 0.7);

    /** StyleCLIP's optimization/run_optimization.py defaults ({@code optimize}): 300 steps, l2 0.008, ID 0.005. */
    public static final OptimizationPreset REFERENCE =
            new OptimizationPreset("reference", OptimizationSpace.W_PLUS, 300, 0.1, 0.008, 0, 0, 0, 0, 0, 0, 0.6, 0.005, 0.7);

    /** The settings of an edit of a start latent towards {@code prompt}; {@code seed} seeds the smoothing offsets. */
    public LatentOptimization.Settings settings(String prompt, long seed) {
        return new LatentOptimization.Settings(prompt, OptimizationMode.EDIT, space, steps, lr, l2Lambda, idLambda, ClipViews.NONE,
                LatentSmoothing.of(smooth, smoothSigma, seed), l1Lambda, l1Ramp, l1PullShare, new LooseRetry(retryBelow, retryL1));
    }
}
