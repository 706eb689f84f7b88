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
import org.bytedeco.pytorch.TensorVector;
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

    /**
     * A designed layout: every cell of every discrete factor on its own axis of w ({@code spacing} times a unit
     * vector, rows in table order), each continuous factor that {@link Factorization#continuousMatters} on the next
     * axis, zero bias. So a w is a one-hot code per factor: moving one attribute to another class moves two
     * coordinates by {@code spacing}, the same distance for every attribute, and an optimizer's per-coordinate steps
     * are steps in "how much of this class". Needs {@code cells + continuous factors used <= dim}.
     */
    public static LatentCodes oneHot(Factorization f, int dim, double spacing) {
        if (!(spacing > 0)) throw new IllegalArgumentException("spacing must be positive, got " + spacing);
        LatentCodes c = new LatentCodes(f, dim, 0);
        int axes = c.axesOneHot(f);
        if (axes > dim) throw new IllegalArgumentException("a one-hot layout needs " + axes + " axes; w has " + dim);
        try (NoGradGuard ng = new NoGradGuard()) {
            c.bias.zero_();
            c.table.zero_();
            c.mix.zero_();
            int rows = (int) c.table.size(0);
            for (int r = 0; r < rows; r++) c.table.select(0, r).select(0, r).fill_(new Scalar(spacing));
            int axis = rows;
            for (int k = 0; k < c.continuous; k++) {
                if (f.continuousMatters(k)) c.mix.select(0, k).select(0, axis++).fill_(new Scalar(spacing));
            }
        }
        return c;
    }

    private int axesOneHot(Factorization f) {
        int axes = (int) table.size(0);
        for (int k = 0; k < continuous; k++) if (f.continuousMatters(k)) axes++;
        return axes;
    }

    /**
     * The codes a compiled mapping network draws ({@link MappingCompiler}), read off it exactly: w at the centre of
     * every cell (the other factors held at their first cell, the continuous ones at their median), and each
     * continuous factor's row as the difference between its two saturated ends. Unlike {@link #fitTo}, no
     * regression: a compiled mapping is additive over the factors, so these values are its codes. Checks that they
     * reproduce the mapping on random latents and fails, saying so, when they do not (a mapping that was trained, not
     * compiled).
     */
    public static LatentCodes readCompiled(Generator g, Factorization f) {
        int dim = g.config().styleDim();
        LatentCodes c = new LatentCodes(f, dim, 0);
        int[] counts = f.cellCounts();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            double[] x0 = new double[counts.length + c.continuous];
            for (int fi = 0; fi < counts.length; fi++) x0[fi] = cellCentre(f, fi, 0);
            Tensor w0 = wAt(g, x0);
            c.bias.copy_(w0);
            c.table.zero_();
            c.mix.zero_();
            for (int fi = 0; fi < counts.length; fi++) {
                for (int cell = 1; cell < counts[fi]; cell++) {
                    double[] x = x0.clone();
                    x[fi] = cellCentre(f, fi, cell);
                    c.table.select(0, c.offsets[fi] + cell).copy_(wAt(g, x).sub(w0));
                }
            }
            for (int k = 0; k < c.continuous; k++) {
                double[] hi = x0.clone(), lo = x0.clone();
                hi[counts.length + k] = COMPILED_SATURATION;
                lo[counts.length + k] = -COMPILED_SATURATION;
                c.mix.select(0, k).copy_(wAt(g, hi).sub(wAt(g, lo)));
            }
            torch.manual_seed(424_242);
            Tensor z = torch.randn(2048, dim);
            Tensor drawn = g.mapping(z);
            // the median latent's largest gap: a few latents sit on a compiled ramp, between two cells
            double gap = drawn.sub(c.codes(f.of(z))).abs().amax(new long[] {1}, false).median().item_double();
            double spread = drawn.std().item_double();
            if (!(gap < 0.02 * spread + 0.02)) {
                throw new IllegalArgumentException(String.format("the generator's mapping is not a compiled one (its w differs from "
                        + "the codes read off it by %.3g for the median latent, against a spread of %.3g); only a codes-mode "
                        + "generator can be re-laid", gap, spread));
            }
        }
        return c;
    }

    /** Beyond +-this, a compiled continuous factor's piecewise normal CDF is flat (MappingCompiler's TAIL is 2.2). */
    private static final double COMPILED_SATURATION = 3.0;

    /** The coordinate of PixelNorm(z) at the middle (in probability) of cell {@code cell} of factor {@code fi}. */
    static double cellCentre(Factorization f, int fi, int cell) {
        double[] t = f.thresholds(fi);
        double lo = cell == 0 ? 0 : dev.styleclip.world.WorldPrior.normalCdf(t[cell - 1]);
        double hi = cell == t.length ? 1 : dev.styleclip.world.WorldPrior.normalCdf(t[cell]);
        return MappingCompiler.inverseCdf((lo + hi) / 2);
    }

    /**
     * w of a latent whose PixelNorm holds {@code x} on its first coordinates: the remaining coordinates share what is
     * left of the mean square of 1, so PixelNorm leaves the latent as it is.
     */
    private static Tensor wAt(Generator g, double[] x) {
        int dim = g.config().styleDim();
        float[] z = new float[dim];
        double sq = 0;
        for (int i = 0; i < x.length; i++) {
            z[i] = (float) x[i];
            sq += x[i] * x[i];
        }
        if (sq >= dim) throw new IllegalArgumentException("the probe latent does not fit a PixelNorm of " + dim + " dimensions");
        float fill = (float) Math.sqrt((dim - sq) / (dim - x.length));
        for (int i = x.length; i < dim; i++) z[i] = fill;
        return g.mapping(Tensors.floats(z, 1, dim)).view(dim);
    }

    /**
     * The affine map from this layout's codes to {@code other}'s: {@code M} [dim, dim] and {@code t} [dim] such that
     * {@code other.codes(f) = M this.codes(f) + t} for every cell assignment and continuous value (both layouts are
     * additive, so matching every factor's cell differences, every continuous row and one reference point is
     * enough). M is zero on what this layout's codes never span, so {@code W M} (a modulation's weight) ignores those
     * directions of w. Double precision.
     */
    public Tensor[] affineTo(LatentCodes other) {
        if (other.dim != dim || !java.util.Arrays.equals(other.offsets, offsets) || other.continuous != continuous) {
            throw new IllegalArgumentException("the two code layouts are for different factorizations");
        }
        List<Tensor> mine = new java.util.ArrayList<>(), theirs = new java.util.ArrayList<>();
        int rows = (int) table.size(0);
        for (int fi = 0; fi < factors; fi++) {
            int end = fi + 1 < factors ? offsets[fi + 1] : rows;
            for (int r = offsets[fi] + 1; r < end; r++) {
                mine.add(table.select(0, r).sub(table.select(0, offsets[fi])));
                theirs.add(other.table.select(0, r).sub(other.table.select(0, offsets[fi])));
            }
        }
        for (int k = 0; k < continuous; k++) {
            mine.add(mix.select(0, k));
            theirs.add(other.mix.select(0, k));
        }
        Tensor n = torch.stack(new TensorVector(mine.toArray(new Tensor[0])), 1).to(torch.ScalarType.Double); // [dim, K]
        Tensor o = torch.stack(new TensorVector(theirs.toArray(new Tensor[0])), 1).to(torch.ScalarType.Double);
        Tensor m = o.matmul(torch.linalg_pinv(n));
        Tensor t = other.reference().sub(m.matmul(reference()));
        return new Tensor[] {m, t};
    }

    /** The code of the first cell of every factor with the continuous factors at 1/2, in double precision. */
    private Tensor reference() {
        Tensor r = bias.to(torch.ScalarType.Double);
        for (int fi = 0; fi < factors; fi++) r = r.add(table.select(0, offsets[fi]).to(torch.ScalarType.Double));
        return r;
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

    /**
     * The codes of latents given by class weights instead of cells: {@code bias + weights table + (u - 1/2) mix}, with
     * {@code weights} [N, cells] (a one-hot row per factor gives {@link #codes}) and {@code continuous} [N * C].
     */
    public Tensor codesOfWeights(Tensor weights, float[] continuous) {
        int n = (int) weights.size(0);
        Tensor w = weights.matmul(table).add(bias);
        if (this.continuous > 0) {
            Tensor u = Tensors.floats(continuous, n, this.continuous).sub(new Scalar(0.5));
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
