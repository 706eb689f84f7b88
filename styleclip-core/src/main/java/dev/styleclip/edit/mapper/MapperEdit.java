package dev.styleclip.edit.mapper;

import dev.styleclip.stop.Stop;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Applying a trained mapper: mapper/scripts/inference.py {@code run_on_batch} with couple_outputs, i.e.
 * {@code w_hat = w + 0.1 * mapper(w)}, the edited image {@code decoder(w_hat)} and the original {@code decoder(w)},
 * both with the generator's fixed noise (randomize_noise=False) and no truncation.
 */
public final class MapperEdit {
    private MapperEdit() {
    }

    /**
     * @param wHat     the edited latents [B, L, style_dim] (style_dim 512 for FFHQ)
     * @param edited   decoder(w_hat) [B, 3, S, S]
     * @param original decoder(w) [B, 3, S, S]
     */
    public record Result(Tensor wHat, Tensor edited, Tensor original) {
    }

    /**
     * One batch, without gradients. The mapper's width must be the generator's style_dim.
     *
     * @param w W+ [B, n_latent, style_dim] of the generator
     */
    public static Result apply(LevelsMapper mapper, Generator g, Tensor w) {
        mapper.requireStyleDim(g.config().styleDim(), "the generator");
        Tensors.checkShape("W+ latent", w, -1, g.config().nLatent(), g.config().styleDim());
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor wHat = mapper.edit(w);
            return new Result(wHat, g.synthesize(wHat, NoiseMode.CONST), g.synthesize(w, NoiseMode.CONST));
        }
    }

    /** What to do with each batch's result (write images, collect latents). */
    @FunctionalInterface
    public interface BatchConsumer {
        void accept(int first, Result batch) throws java.io.IOException;
    }

    /**
     * Applies the mapper to {@code w} [N, L, style_dim] in batches of {@code batchSize}, each inside its own native
     * scope (the consumer must copy out what it keeps); {@code first} is the index of the batch's first latent.
     */
    public static void applyInBatches(LevelsMapper mapper, Generator g, Tensor w, int batchSize, BatchConsumer out)
            throws java.io.IOException {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        long n = w.size(0);
        for (int first = 0; first < n; first += batchSize) {
            Stop.check();
            try (PointerScope scope = new PointerScope()) {
                Tensor batch = w.narrow(0, first, Math.min(batchSize, n - first));
                out.accept(first, apply(mapper, g, batch));
            }
        }
    }
}
