package dev.styleclip.train.gan;

import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Learned style codes for render distillation: {@code w(z) = bias + sum_f table_f[cell_f(z)] + (u(z) - 1/2) mix},
 * one table row per cell of each discrete factor (an attribute slot between two of its cuts) and one row of
 * {@code mix} per continuous factor. The synthesis network then learns from codes that are exactly equal for equal
 * portraits and apart for different ones, instead of from a mapping network that is still finding the thresholds;
 * the mapping network learns separately to reproduce the codes (a cheap regression on many latents). The tensors
 * belong to the scope that was open when this object was made.
 */
public final class LatentCodes {
    /** How a latent decomposes into discrete and continuous factors (for the world: {@code WorldPrior}'s slots). */
    public interface Factorization {
        /** Cells per discrete factor. */
        int[] cellCounts();

        /** Number of continuous factors, each in [0, 1). */
        int continuous();

        /** The factors of each latent of z [B, D]. */
        Factors of(Tensor z);

        /**
         * For {@link MappingCompiler}: where discrete factor {@code f}'s cells change, as values of coordinate
         * {@code f} of PixelNorm(z), ascending. Continuous factor {@code c} is coordinate {@code factors + c}, and its
         * value is the normal CDF of that coordinate.
         */
        default double[] thresholds(int factor) {
            throw new UnsupportedOperationException("this factorization cannot be compiled into a mapping network");
        }

        /** Whether continuous factor {@code c} changes the picture at all ({@link MappingCompiler} leaves the others out). */
        default boolean continuousMatters(int c) {
            return true;
        }
    }

    /**
     * @param cells      [B * F] cell of each discrete factor, row-major
     * @param continuous [B * C] continuous factors, row-major
     */
    public record Factors(int batch, long[] cells, float[] continuous) {
    }

    private final int[] offsets;
    private final int factors;
    private final int continuous;
    private final int dim;
    private final Tensor bias;
    private final Tensor table;
    private final Tensor mix;

    /** Zero bias and mix, table rows N(0, scale^2) (after the caller's seeding). */
    public LatentCodes(Factorization f, int dim, double scale) {
        int[] counts = f.cellCounts();
        this.factors = counts.length;
        this.continuous = f.continuous();
        this.dim = dim;
        this.offsets = new int[counts.length];
        int total = 0;
        for (int i = 0; i < counts.length; i++) {
            offsets[i] = total;
            total += counts[i];
        }
        bias = torch.zeros(dim);
        table = torch.randn(total, dim).mul(new Scalar(scale));
        mix = torch.zeros(Math.max(1, continuous), dim);
    }

    /** A copy with its own tensors (for a moving average). */
    public LatentCodes copy() {
        return new LatentCodes(this);
    }

    private LatentCodes(LatentCodes o) {
        offsets = o.offsets.clone();
        factors = o.factors;
        continuous = o.continuous;
        dim = o.dim;
        bias = o.bias.detach().clone();
        table = o.table.detach().clone();
        mix = o.mix.detach().clone();
    }

    /** Row {@code cell} of discrete factor {@code factor}'s table, as floats. */
    public float[] tableRow(int factor, int cell) {
        return Tensors.toFloatArray(table.select(0, offsets[factor] + cell));
    }

    public float[] bias() {
        return Tensors.toFloatArray(bias);
    }

    /** Row {@code c} of the continuous factors' matrix. */
    public float[] mixRow(int c) {
        return Tensors.toFloatArray(mix.select(0, c));
    }

    public int dim() {
        return dim;
    }

    public int discreteFactors() {
        return factors;
    }

    public int continuousFactors() {
        return continuous;
    }

    public List<Tensor> parameters() {
        return List.of(bias, table, mix);
    }

    /** The codes of latents with factors {@code f}: [B, dim]. */
    public Tensor codes(Factors f) {
        long[] idx = new long[f.cells().length];
        for (int i = 0; i < idx.length; i++) idx[i] = f.cells()[i] + offsets[i % factors];
        Tensor rows = table.index_select(0, Tensors.longs(idx)).view(f.batch(), factors, dim).sum(new long[] {1}, false,
                new ScalarTypeOptional());
        Tensor w = rows.add(bias);
        if (continuous > 0) {
            Tensor u = Tensors.floats(f.continuous(), f.batch(), continuous).sub(new Scalar(0.5));
            w = w.add(u.matmul(mix));
        }
        return w;
    }

    /** this = decay * this + (1 - decay) * other, in place. */
    public void lerpTowards(LatentCodes other, double decay) {
        try (NoGradGuard ng = new NoGradGuard()) {
            List<Tensor> mine = parameters(), theirs = other.parameters();
            for (int i = 0; i < mine.size(); i++) {
                mine.get(i).mul_(new Scalar(decay)).add_(theirs.get(i).detach(), new Scalar(1 - decay));
            }
        }
    }

    /** Overwrites this with {@code other}'s values. */
    public void copyFrom(LatentCodes other) {
        try (NoGradGuard ng = new NoGradGuard()) {
            List<Tensor> mine = parameters(), theirs = other.parameters();
            for (int i = 0; i < mine.size(); i++) mine.get(i).copy_(theirs.get(i).detach());
        }
    }

    /**
     * Sets the codes to what {@code g}'s mapping network already draws, so that a warm start keeps the synthesis
     * network's inputs where they were: over {@code z} [N, D], bias = the mean of w, each table row = the mean of
     * {@code w - bias} over the latents in that cell (the factors are independent, so this is the additive part of
     * w), and each mix row = the regression slope of {@code w - bias} on its continuous factor.
     */
    public void fitTo(Generator g, Factorization f, Tensor z) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor w = g.mapping(z);
            int n = (int) z.size(0);
            Tensor mean = w.mean(new long[] {0}, false, new ScalarTypeOptional());
            Tensor centred = w.sub(mean);
            Factors fs = f.of(z);
            bias.copy_(mean);
            int[] counts = f.cellCounts();
            for (int fi = 0; fi < factors; fi++) {
                for (int c = 0; c < counts[fi]; c++) {
                    java.util.List<Long> members = new java.util.ArrayList<>();
                    for (int b = 0; b < n; b++) if (fs.cells()[b * factors + fi] == c) members.add((long) b);
                    if (members.isEmpty()) continue;
                    long[] m = members.stream().mapToLong(Long::longValue).toArray();
                    table.select(0, offsets[fi] + c).copy_(centred.index_select(0, Tensors.longs(m))
                            .mean(new long[] {0}, false, new ScalarTypeOptional()));
                }
            }
            if (continuous > 0) {
                Tensor u = Tensors.floats(fs.continuous(), n, continuous).sub(new Scalar(0.5));
                // uniform factors have variance 1/12: slope = 12 * E[(u - 1/2) (w - mean)]
                mix.copy_(u.t().matmul(centred).mul(new Scalar(12.0 / n)));
            }
        }
    }

    /** The tensors under their names (bias, table, mix), for writing. */
    public java.util.Map<String, Object> toRaw(String prefix) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put(prefix + "bias", Tensors.toRaw(bias.detach()));
        out.put(prefix + "table", Tensors.toRaw(table.detach()));
        out.put(prefix + "mix", Tensors.toRaw(mix.detach()));
        return out;
    }

    /** Overwrites the tensors with those written by {@link #toRaw}; shapes must match. */
    public void load(java.util.Map<String, dev.styleclip.io.TensorRef> tensors, String prefix, Path file)
            throws dev.styleclip.io.CheckpointException {
        String[] names = {"bias", "table", "mix"};
        List<Tensor> mine = parameters();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (int i = 0; i < names.length; i++) {
                var ref = tensors.get(prefix + names[i]);
                long[] want = mine.get(i).sizes().vec().get();
                if (ref == null || !java.util.Arrays.equals(ref.shape(), want)) {
                    throw new dev.styleclip.io.CheckpointException(file, "no " + prefix + names[i] + " of shape " + java.util.Arrays.toString(want)
                            + (ref == null ? "" : " (has " + java.util.Arrays.toString(ref.shape()) + ")"));
                }
                mine.get(i).copy_(Tensors.fromRawAsFloat(ref.read()));
            }
        }
    }
}
