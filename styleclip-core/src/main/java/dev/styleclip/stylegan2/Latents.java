package dev.styleclip.stylegan2;

import org.bytedeco.pytorch.TensorVector;
import java.util.List;
import java.nio.file.Path;
import java.io.IOException;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Where latents come from: seeds, files in z / w / W+, and their way to a (truncated) W+ latent. */
public final class Latents {
    private Latents() {
    }

    /**
     * z for a seed: {@code torch.manual_seed(seed); torch.randn(1, D)} — the same draw as PyTorch's
     * {@code torch.randn(1, D, generator=torch.Generator().manual_seed(seed))}.
     */
    public static Tensor seedZ(long seed, int styleDim) {
        torch.manual_seed(seed);
        return torch.randn(1, styleDim);
    }

    /**
     * A latent of the given space as W+ [N, n_latent, D], truncated towards latent_avg with {@code psi}
     * (before the broadcast for z and w, row-wise for W+, as the reference does). A single vector ([D] or
     * [n_latent, D]) is taken as a batch of one.
     */
    public static Tensor toWPlus(Generator g, Tensor latent, LatentSpace space, double psi) {
        int d = g.config().styleDim();
        int l = g.config().nLatent();
        Tensor x = latent;
        switch (space) {
            case Z, W -> {
                if (x.dim() == 1) x = x.unsqueeze(0);
                if (x.dim() == 3 && x.size(1) == 1) x = x.squeeze(1);
                requireShape(space, x, -1, d);
                Tensor w = space == LatentSpace.Z ? g.mapping(x) : x;
                return g.toWPlus(g.truncate(w, psi));
            }
            case W_PLUS -> {
                if (x.dim() == 2) x = x.unsqueeze(0);
                requireShape(space, x, -1, l, d);
                return g.truncate(x, psi);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The W+ latents [N, L, D] of seeds, in order: z of each seed ({@link #seedZ}), mapped, truncated by {@code psi}. */
    public static Tensor ofSeeds(Generator g, List<Long> seeds, double psi) {
        TensorVector zs = new TensorVector();
        for (long seed : seeds) zs.push_back(seedZ(seed, g.config().styleDim()));
        return toWPlus(g, torch.cat(zs, 0), LatentSpace.Z, psi);
    }

    /**
     * A latent file (.npy, or .pt holding one tensor) in {@code space}, as W+ [N, L, D] truncated by {@code psi}; a file
     * holding NaN or infinities is refused, naming it.
     */
    public static Tensor read(Generator g, Path file, LatentSpace space, double psi) throws IOException {
        return toWPlus(g, readFinite(file), space, psi);
    }

    /** A tensor file's single tensor as float32, refused when it holds NaN or infinities. */
    public static Tensor readFinite(Path file) throws IOException {
        Tensor t = Tensors.fromRawAsFloat(TensorFiles.readSingle(file));
        Tensors.requireFinite(file.getFileName().toString(), t);
        return t;
    }

    private static void requireShape(LatentSpace space, Tensor x, long... shape) {
        try {
            Tensors.checkShape(space.name().toLowerCase().replace("_plus", "+") + " latent", x, shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " for this generator; shape "
                    + Arrays.toString(x.shape()) + " does not fit " + space);
        }
    }
}
