package dev.styleclip.edit.global;

import dev.styleclip.stop.Stop;
import dev.styleclip.io.Npy;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Per-channel mean and standard deviation of S over sampled images, as StyleCLIP's global directions use
 * them (global_torch/manipulate.py {@code GenerateS} + {@code GetCodeMS}): w = mapping(z), the first
 * {@code cutoff} W+ rows truncated towards latent_avg with psi 0.7, S from the modulation layers, then
 * mean and population std (ddof 0) per channel. Flat layout [sum C_i] in S order.
 *
 * @param mean [sum C] float32
 * @param std  [sum C] float32
 */
public record StyleStats(Tensor mean, Tensor std) {
    /** The reference's truncation for S statistics and fs3 images. */
    public static final double PSI = 0.7;
    public static final int CUTOFF = 8;

    /** The W+ codes the reference samples: rows below {@code cutoff} truncated (torch's lerp), others not. */
    public static Tensor truncatedWPlus(Generator g, Tensor z, double psi, int cutoff) {
        Tensor wplus = g.toWPlus(g.mapping(z)); // [N, L, D]
        int rows = Math.min(cutoff, g.config().nLatent());
        Tensor head = g.truncate(wplus.narrow(1, 0, rows), psi);
        if (rows == g.config().nLatent()) return head;
        Tensor tail = wplus.narrow(1, rows, g.config().nLatent() - rows);
        return torch.cat(new org.bytedeco.pytorch.TensorVector(head, tail), 1);
    }

    /** Flat S codes [N, sum C] of the sampled z, computed in batches. */
    public static Tensor styleCodes(Generator g, Tensor z, int batch) {
        org.bytedeco.pytorch.TensorVector parts = new org.bytedeco.pytorch.TensorVector();
        try (NoGradGuard ng = new NoGradGuard()) {
            for (long i = 0; i < z.size(0); i += batch) {
                Stop.check();
                long n = Math.min(batch, z.size(0) - i);
                try (PointerScope scope = new PointerScope()) {
                    // push_back copies the native handle, so the codes outlive this scope's Java objects
                    parts.push_back(StyleCodes.flatten(g.styles(truncatedWPlus(g, z.narrow(0, i, n), PSI, CUTOFF))));
                }
            }
        }
        return torch.cat(parts, 0);
    }

    /** Mean and population std per channel of flat S codes [N, sum C]. */
    public static StyleStats of(Tensor flatCodes) {
        ScalarTypeOptional none = new ScalarTypeOptional();
        Tensor mean = flatCodes.mean(new long[] {0}, false, none);
        Tensor centred = flatCodes.sub(mean);
        Tensor std = centred.square().mean(new long[] {0}, false, none).sqrt();
        return new StyleStats(mean, std);
    }

    /** Statistics over {@code n} z drawn after torch.manual_seed(seed). */
    public static StyleStats sample(Generator g, int n, long seed, int batch) {
        torch.manual_seed(seed);
        Tensor z = torch.randn(n, g.config().styleDim());
        return of(styleCodes(g, z, batch));
    }

    public void write(Path meanFile, Path stdFile) throws IOException {
        Npy.write(meanFile, Tensors.toRaw(mean));
        Npy.write(stdFile, Tensors.toRaw(std));
    }

    public static StyleStats read(Path meanFile, Path stdFile) throws IOException {
        return new StyleStats(Tensors.fromRawAsFloat(Npy.read(meanFile)), Tensors.fromRawAsFloat(Npy.read(stdFile)));
    }
}
