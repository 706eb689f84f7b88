package dev.styleclip.train.gan;

import dev.styleclip.world.WorldPrior;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link LatentCodes} into the weights of a rosinality mapping network (PixelNorm, then four EqualLinear
 * layers with lr_mul 0.01 and fused leaky ReLU, as {@code Generator.style}), so that w(z) = codes(z) up to narrow
 * ramps at the cell boundaries. A trained mapping network only approaches the codes' steps slowly (it blurs every
 * attribute near its thresholds); these weights are the codes themselves:
 * <ol>
 * <li>layer 1: for each cut t of a discrete factor, two units {@code k (x_i - t) + 1/2} and {@code k (x_i - t) - 1/2}
 *     (ramp width 1/k); for each continuous factor, {@link #PIECES} such pairs over the quartiles of the normal
 *     distribution, a piecewise-linear normal CDF;</li>
 * <li>layer 2: one unit per pair, their difference over sqrt(2): with leaky ReLU (slope 0.2) that is the clamp
 *     {@code 0.2 + 0.8 ramp}, always positive, so it passes the activation unchanged;</li>
 * <li>layer 3: unit d holds {@code -y_d}, y the code as a linear function of the ramps (a cell's row is the first
 *     cell's row plus the differences of the cuts crossed);</li>
 * <li>layer 4: {@code -2.5} times unit d, which leaky ReLU with gain sqrt(2) turns back into exactly y_d for either
 *     sign.</li>
 * </ol>
 * Needs 2 (cuts + pieces x used continuous factors) units in the first layer, at most style_dim.
 */
public final class MappingCompiler {
    /** Linear pieces of the normal CDF per continuous factor. */
    public static final int PIECES = 4;
    /** The outer pieces of the CDF end at +-this (Phi(2.2) = 0.986). */
    static final double TAIL = 2.2;
    private static final double LR_MUL = 0.01;
    private static final double SQRT2 = Math.sqrt(2);

    private MappingCompiler() {
    }

    /** One first-layer pair: pre1 = k (x_coord - a) + offset, pre2 = pre1 - 1; and the code change its ramp carries. */
    private record Pair(int coord, double k, double a, double offset, float[] delta) {
    }

    /**
     * The mapping weights ({@code style.1.weight} ... {@code style.4.bias}, stored values, float arrays row-major) for
     * {@code codes}. {@code rampWidth}: width of a discrete cut's ramp in PixelNorm(z) units; {@code continuousUsed}:
     * which continuous factors to carry (the others are held at their mean, 1/2).
     */
    public static Map<String, float[]> compile(LatentCodes codes, LatentCodes.Factorization f, double rampWidth,
                                               boolean[] continuousUsed) {
        int dim = codes.dim(), factors = codes.discreteFactors();
        double[] bias = toDouble(codes.bias());
        List<Pair> pairs = new ArrayList<>();
        for (int fi = 0; fi < factors; fi++) {
            double[] t = f.thresholds(fi);
            double[] base = toDouble(codes.tableRow(fi, 0));
            for (int d = 0; d < dim; d++) bias[d] += base[d];
            for (int j = 0; j < t.length; j++) {
                float[] lo = codes.tableRow(fi, j), hi = codes.tableRow(fi, j + 1);
                float[] delta = new float[dim];
                for (int d = 0; d < dim; d++) delta[d] = hi[d] - lo[d];
                pairs.add(new Pair(fi, 1 / rampWidth, t[j], 0.5, delta));
            }
        }
        double[] edges = new double[PIECES + 1];
        edges[0] = -TAIL;
        edges[PIECES] = TAIL;
        for (int m = 1; m < PIECES; m++) edges[m] = inverseCdf(m / (double) PIECES);
        for (int c = 0; c < codes.continuousFactors(); c++) {
            if (continuousUsed != null && !continuousUsed[c]) continue;
            float[] mix = codes.mixRow(c);
            double first = WorldPrior.normalCdf(edges[0]) - 0.5;
            for (int d = 0; d < dim; d++) bias[d] += first * mix[d];
            for (int m = 0; m < PIECES; m++) {
                double weight = WorldPrior.normalCdf(edges[m + 1]) - WorldPrior.normalCdf(edges[m]);
                float[] delta = new float[dim];
                for (int d = 0; d < dim; d++) delta[d] = (float) (weight * mix[d]);
                pairs.add(new Pair(factors + c, 1 / (edges[m + 1] - edges[m]), edges[m], 0, delta));
            }
        }
        if (2 * pairs.size() > dim) {
            throw new IllegalArgumentException("the codes need " + 2 * pairs.size() + " first-layer units; the mapping has " + dim);
        }
        double[][] w1 = new double[dim][dim], w2 = new double[dim][dim], w3 = new double[dim][dim], w4 = new double[dim][dim];
        double[] b1 = new double[dim], b2 = new double[dim], b3 = new double[dim], b4 = new double[dim];
        double[] sumDelta = new double[dim];
        for (int p = 0; p < pairs.size(); p++) {
            Pair q = pairs.get(p);
            int u1 = 2 * p, u2 = 2 * p + 1;
            w1[u1][q.coord()] = q.k();
            w1[u2][q.coord()] = q.k();
            b1[u1] = -q.k() * q.a() + q.offset();
            b1[u2] = -q.k() * q.a() + q.offset() - 1;
            w2[p][u1] = 1 / SQRT2;
            w2[p][u2] = -1 / SQRT2;
            // layer 2 gives s_p = sqrt(2) (0.2 + 0.8 r_p): r_p = s_p / (0.8 sqrt(2)) - 0.25
            for (int d = 0; d < dim; d++) {
                w3[d][p] = -q.delta()[d] / (0.8 * SQRT2);
                sumDelta[d] += q.delta()[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            b3[d] = -(bias[d] - 0.25 * sumDelta[d]);
            w4[d][d] = -2.5;
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        double wScale = Math.sqrt(dim) / LR_MUL; // stored = effective * sqrt(in) / lr_mul
        double[][][] ws = {w1, w2, w3, w4};
        double[][] bs = {b1, b2, b3, b4};
        for (int l = 0; l < 4; l++) {
            float[] w = new float[dim * dim];
            for (int r = 0; r < dim; r++) for (int c = 0; c < dim; c++) w[r * dim + c] = (float) (ws[l][r][c] * wScale);
            float[] b = new float[dim];
            for (int r = 0; r < dim; r++) b[r] = (float) (bs[l][r] / LR_MUL);
            out.put("style." + (l + 1) + ".weight", w);
            out.put("style." + (l + 1) + ".bias", b);
        }
        return out;
    }

    /** x with {@link WorldPrior#normalCdf}(x) = p, by bisection (the same approximation the world decides with). */
    public static double inverseCdf(double p) {
        double lo = -12, hi = 12;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (WorldPrior.normalCdf(mid) < p) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
