package dev.styleclip.edit.optimize;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipViews;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * How hard CLIP pulls on the latent for a prompt, measured once on the generator's own samples: the median, over
 * {@link #SAMPLES} portraits (z of seeds 0, 1, ..., no truncation), of the largest coordinate of
 * {@code |d CLIP loss / d latent|} at the portrait, in the space the optimization moves (W: the offset shared by
 * every row; W+: every row's vector). {@link LatentOptimization.Settings#l1PullShare} caps the L1 weight at a share
 * of it: the L1 term keeps a coordinate where it started when CLIP pulls on it more weakly than the weight, so a
 * fixed weight that leaves the strongly pulled prompts free to move ("lion": 0.28 on the bundled set) holds every
 * coordinate of a weakly pulled one ("without makeup": 0.07) where it was. Not in StyleCLIP.
 */
public final class PromptPull {
    /** Portraits the pull is measured on: seeds 0 to 15. */
    public static final int SAMPLES = 16;

    private PromptPull() {
    }

    /**
     * @param tokens the prompt, tokenized [1, 77]
     * @param space  W or W+ (S has no such measure here)
     */
    public static double of(Generator g, ClipLoss clipLoss, int[][] tokens, OptimizationSpace space) {
        if (space == OptimizationSpace.S) throw new IllegalArgumentException("the prompt's pull is measured in W or W+, not in S");
        try (PointerScope scope = new PointerScope()) {
            Tensor w;
            try (NoGradGuard ng = new NoGradGuard()) {
                TensorVector zs = new TensorVector();
                for (int i = 0; i < SAMPLES; i++) zs.push_back(Latents.seedZ(i, g.config().styleDim()));
                w = g.toWPlus(g.mapping(torch.cat(zs, 0))); // [SAMPLES, L, D]
            }
            // the offset the optimization would move: [SAMPLES, 1, D] in W, [SAMPLES, L, D] in W+
            Tensor offset = torch.zeros_like(space == OptimizationSpace.W ? w.narrow(1, 0, 1) : w);
            offset.set_requires_grad(true);
            Tensor image = g.synthesize(w.add(offset), NoiseMode.CONST);
            clipLoss.forward(image, tokens, ClipViews.NONE.sampler()).sum().backward();
            float[] largest = Tensors.toFloatArray(offset.grad().abs().amax(new long[] {1, 2}, false)); // [SAMPLES]
            Arrays.sort(largest);
            return largest[SAMPLES / 2];
        }
    }

    /**
     * The L1 weight a run uses: {@code l1Lambda}, capped (for a share above 0) so that the term's pull on a coordinate,
     * the weight times the rows its distance is counted over ({@code rows}: the W+ rows in W, 1 in W+), is at most
     * {@code share * pull}.
     */
    public static double cappedL1(double l1Lambda, double share, double pull, int rows) {
        return share == 0 ? l1Lambda : Math.min(l1Lambda, share * pull / rows);
    }
}
