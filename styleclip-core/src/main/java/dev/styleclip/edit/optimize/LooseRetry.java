package dev.styleclip.edit.optimize;

import dev.styleclip.check.Checks;

/**
 * A second pass with a looser hold where the edit did not take: after a run, every latent whose CLIP loss fell by less
 * than {@code minGain} (for 1 - cosine losses, CLIP's cosine to the prompt rose by less) is optimized again from its
 * start, with the L1 weight {@code l1Lambda} instead of the run's. The L1 term keeps an edit to the coordinates the
 * prompt pulls hardest; where CLIP pulls on nothing harder than the term holds (a weak prompt, or a portrait the prompt
 * barely reaches) the first pass leaves the image as it was, and only those latents pay for a looser hold with the
 * changes it lets through. Not in StyleCLIP; {@link #NONE} is one pass.
 *
 * @param minGain  the least fall of the CLIP loss that counts as taken; 0 turns the retry off
 * @param l1Lambda the L1 weight of the second pass (its ramp, smoothing and the rest stay the run's)
 */
public record LooseRetry(double minGain, double l1Lambda) {
    public static final LooseRetry NONE = new LooseRetry(0, 0);

    public LooseRetry {
        Checks.nonNegative("retry-below", minGain);
        Checks.nonNegative("retry-l1", l1Lambda);
    }

    public boolean none() {
        return minGain == 0;
    }
}
