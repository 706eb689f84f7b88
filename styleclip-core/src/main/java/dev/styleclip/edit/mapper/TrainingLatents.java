package dev.styleclip.edit.mapper;

import dev.styleclip.io.TensorFiles;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The latents a mapper trains or validates on (the coach's LatentsDataset): W+ codes from a file, e.g. e4e-inverted
 * CelebA-HQ faces ({@code .pt} holding one tensor, or {@code .npy}), or sampled from the generator:
 * {@code z = randn(N, style_dim)} (style_dim 512 for FFHQ) after {@code torch.manual_seed(seed)}, mapped, truncated
 * towards the mean latent and broadcast to every W+ row (coach.configure_datasets; truncation 0.7 there). Owns its
 * tensor. D below is the generator's style_dim.
 */
public final class TrainingLatents implements AutoCloseable {
    private final Tensor latents; // [N, L, D], or [N, D] broadcast to W+ per batch
    private final int nLatent;
    private final PointerScope owned;

    private TrainingLatents(Tensor latents, int nLatent, PointerScope owned) {
        this.latents = latents;
        this.nLatent = nLatent;
        this.owned = owned;
    }

    /** W+ [N, L, D] (or w [N, D]) latents of {@code g} from a file, D its style_dim. */
    public static TrainingLatents fromFile(Path file, Generator g) throws IOException {
        var raw = TensorFiles.readSingle(file);
        PointerScope owned = new PointerScope();
        try {
            Tensor t = Tensors.fromRawAsFloat(raw);
            int l = g.config().nLatent(), d = g.config().styleDim();
            boolean wPlus = t.dim() == 3 && t.size(1) == l && t.size(2) == d;
            boolean w = t.dim() == 2 && t.size(1) == d;
            if (!wPlus && !w) {
                throw new IOException(file + ": latents of shape " + Tensors.shapeString(t) + " do not fit this generator (expected ["
                        + "N, " + l + ", " + d + "] W+ codes or [N, " + d + "] w codes)");
            }
            if (t.size(0) == 0) throw new IOException(file + ": no latents");
            owned.extend();
            owned.close();
            return new TrainingLatents(t, l, owned);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** {@code n} latents sampled from {@code g} with truncation {@code psi} (1 = none), reproducibly from {@code seed}. */
    public static TrainingLatents sample(Generator g, int n, double psi, long seed) {
        if (n < 1) throw new IllegalArgumentException("need at least one latent");
        PointerScope owned = new PointerScope();
        try {
            Tensor w;
            try (PointerScope tmp = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                torch.manual_seed(seed);
                Tensor z = torch.randn(n, g.config().styleDim());
                w = g.truncate(g.mapping(z), psi).contiguous(); // [N, D]
                owned.attach(w); // survives tmp's release of the temporaries
            }
            owned.extend();
            owned.close();
            return new TrainingLatents(w, g.config().nLatent(), owned);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** Latents given as a tensor (copied), e.g. a fixture's. */
    public static TrainingLatents of(Tensor wPlus) {
        PointerScope owned = new PointerScope();
        Tensor t = wPlus.detach().clone();
        owned.extend();
        owned.close();
        return new TrainingLatents(t, (int) t.size(1), owned);
    }

    public int size() {
        return (int) latents.size(0);
    }

    /** The W+ codes at {@code indices}, [B, L, D]. */
    public Tensor batch(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Tensor b = latents.index_select(0, Tensors.longs(idx));
        return b.dim() == 3 ? b : b.unsqueeze(1).repeat(1, nLatent, 1);
    }

    /** Latents [first, first + count) as W+. */
    public Tensor range(int first, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = first + i;
        return batch(idx);
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
