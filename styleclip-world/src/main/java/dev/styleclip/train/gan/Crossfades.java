package dev.styleclip.train.gan;

import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * Latents off the code lattice and the targets they should draw, for codes-mode render distillation
 * ({@link RenderDistillation.Interpolation}). A latent is described by class weights: per W+ row and attribute, a
 * weight per class (the lattice's points are one-hot), so its code is the same weighting of the code table's rows.
 * The target reads the row-averaged weights: per attribute, projected onto the probability simplex (a code past a
 * class draws that class), sharpened, and then every combination of the classes left with weight is rendered and
 * crossfaded with the product of their weights.
 */
public final class Crossfades {
    /** Target weights below this are dropped (and the rest renormalised): a corner that would hardly show. */
    static final double NEGLIGIBLE = 0.002;
    /** More corners than this for one sample and the target is a Monte Carlo mean over this many. */
    static final int MAX_CORNERS = 16;

    private Crossfades() {
    }

    /**
     * A batch: the class weights of every sample's code, row by row ({@code cellWeights} [B, L, cells], cells in the
     * code table's order), with its continuous factors; and the corners its target mixes ({@code targetWeights}
     * [B, K] over the {@code corners}).
     */
    public record Batch(Tensor cellWeights, float[] continuous, LatentCodes.Factors corners, Tensor targetWeights) {
        /** W+ [B, L, D]: each row's code. */
        public Tensor codes(LatentCodes codes) {
            long b = cellWeights.size(0), l = cellWeights.size(1);
            float[] cont = new float[(int) (b * l) * (continuous.length / (int) b)];
            int nc = continuous.length / (int) b;
            for (int i = 0; i < b; i++) for (int r = 0; r < l; r++) System.arraycopy(continuous, i * nc, cont, (int) (i * l + r) * nc, nc);
            return codes.codesOfWeights(cellWeights.reshape(b * l, -1), cont).view(b, l, codes.dim());
        }

        /** The targets [B, ...] from the corners' renders [K, ...]. */
        public Tensor targets(Tensor cornerImages) {
            long[] shape = cornerImages.sizes().vec().get();
            shape[0] = targetWeights.size(0);
            return targetWeights.matmul(cornerImages.reshape(cornerImages.size(0), -1)).view(shape);
        }
    }

    /** Draws the batch's latents off the lattice around the lattice points {@code f}, {@code rows} W+ rows each. */
    public static Batch draw(RenderDistillation.Interpolation in, LatentCodes.Factorization factorization, int rows,
                             LatentCodes.Factors f, SplittableRandom r) {
        int[] counts = factorization.cellCounts();
        int nf = counts.length, nc = factorization.continuous(), b = f.batch();
        int[] offsets = new int[nf];
        int cells = 0;
        for (int i = 0; i < nf; i++) {
            offsets[i] = cells;
            cells += counts[i];
        }
        float[] weights = new float[b * rows * cells];
        List<long[]> corners = new ArrayList<>();
        List<float[]> cornerCont = new ArrayList<>();
        List<double[]> mix = new ArrayList<>(); // (sample, weight) per corner
        for (int i = 0; i < b; i++) {
            long[] own = Arrays.copyOfRange(f.cells(), i * nf, (i + 1) * nf);
            float[] cont = Arrays.copyOfRange(f.continuous(), i * nc, (i + 1) * nc);
            double[][][] x = new double[nf][][]; // [factor][row][class]: the code's class weights
            for (int fi = 0; fi < nf; fi++) {
                x[fi] = new double[rows][counts[fi]];
                for (int l = 0; l < rows; l++) x[fi][l][(int) own[fi]] = 1;
            }
            if (r.nextDouble() < in.fraction()) moveOffLattice(in, counts, own, x, r);
            List<List<double[]>> perFactor = new ArrayList<>(); // (class, target weight) per factor
            for (int fi = 0; fi < nf; fi++) {
                double[] mean = new double[counts[fi]];
                for (int l = 0; l < rows; l++) {
                    for (int c = 0; c < counts[fi]; c++) {
                        mean[c] += x[fi][l][c] / rows;
                        weights[(i * rows + l) * cells + offsets[fi] + c] = (float) x[fi][l][c];
                    }
                }
                double[] q = sharpen(projectOntoSimplex(mean), in.sharpness());
                List<double[]> kept = new ArrayList<>();
                for (int c = 0; c < q.length; c++) if (q[c] > 0) kept.add(new double[] {c, q[c]});
                perFactor.add(kept);
            }
            addCorners(i, own, cont, perFactor, r, corners, cornerCont, mix);
        }
        int k = corners.size();
        long[] allCells = new long[k * nf];
        float[] allCont = new float[k * nc];
        float[] targetMix = new float[b * k];
        for (int j = 0; j < k; j++) {
            System.arraycopy(corners.get(j), 0, allCells, j * nf, nf);
            System.arraycopy(cornerCont.get(j), 0, allCont, j * nc, nc);
            targetMix[(int) mix.get(j)[0] * k + j] = (float) mix.get(j)[1];
        }
        return new Batch(Tensors.floats(weights, b, rows, cells), f.continuous().clone(),
                new LatentCodes.Factors(k, allCells, allCont), Tensors.floats(targetMix, b, k));
    }

    /**
     * Moves 1 to {@code factors} attributes part of the way to another class (0 to {@code factors} when there is
     * noise, so that some samples are only nudged), each row by its own jitter, and nudges every attribute.
     */
    private static void moveOffLattice(RenderDistillation.Interpolation in, int[] counts, long[] own, double[][][] x, SplittableRandom r) {
        int nf = counts.length, rows = x[0].length;
        int moves = in.perturbation() > 0 ? r.nextInt(in.factors() + 1) : 1 + r.nextInt(in.factors());
        boolean[] taken = new boolean[nf];
        for (int j = 0; j < moves; j++) {
            int fi;
            do {
                fi = r.nextInt(nf);
            } while (counts[fi] < 2 || taken[fi]);
            taken[fi] = true;
            int from = (int) own[fi], to = (from + 1 + r.nextInt(counts[fi] - 1)) % counts[fi];
            double t = -in.overshoot() + r.nextDouble() * (1 + 2 * in.overshoot());
            for (int l = 0; l < rows; l++) {
                double tl = t + in.rowJitter() * (2 * r.nextDouble() - 1);
                x[fi][l][from] -= tl;
                x[fi][l][to] += tl;
            }
        }
        if (in.perturbation() == 0) return;
        for (int fi = 0; fi < nf; fi++) {
            double[] d = new double[counts[fi]];
            double mean = 0;
            for (int c = 0; c < d.length; c++) {
                d[c] = in.perturbation() * r.nextGaussian();
                mean += d[c] / d.length;
            }
            // centred: the class weights keep summing to 1, so the code stays on the lattice's affine span
            for (int l = 0; l < rows; l++) for (int c = 0; c < d.length; c++) x[fi][l][c] += d[c] - mean;
        }
    }

    /** Every combination of the classes left with weight (at most MAX_CORNERS, else that many drawn from them). */
    private static void addCorners(int sample, long[] own, float[] cont, List<List<double[]>> perFactor, SplittableRandom r,
                                   List<long[]> corners, List<float[]> cornerCont, List<double[]> mix) {
        long total = 1;
        for (List<double[]> k : perFactor) total *= k.size();
        if (total <= MAX_CORNERS) {
            int[] idx = new int[perFactor.size()];
            for (long n = 0; n < total; n++) {
                long[] cell = own.clone();
                double w = 1;
                for (int fi = 0; fi < idx.length; fi++) {
                    double[] pick = perFactor.get(fi).get(idx[fi]);
                    cell[fi] = (long) pick[0];
                    w *= pick[1];
                }
                corners.add(cell);
                cornerCont.add(cont);
                mix.add(new double[] {sample, w});
                for (int fi = 0; fi < idx.length && ++idx[fi] == perFactor.get(fi).size(); fi++) idx[fi] = 0;
            }
            return;
        }
        java.util.Map<String, Integer> seen = new java.util.HashMap<>(); // a corner drawn twice counts twice, rendered once
        for (int n = 0; n < MAX_CORNERS; n++) {
            long[] cell = own.clone();
            for (int fi = 0; fi < perFactor.size(); fi++) {
                double u = r.nextDouble(), acc = 0;
                List<double[]> k = perFactor.get(fi);
                cell[fi] = (long) k.get(k.size() - 1)[0];
                for (double[] pick : k) {
                    acc += pick[1];
                    if (u < acc) {
                        cell[fi] = (long) pick[0];
                        break;
                    }
                }
            }
            Integer at = seen.get(Arrays.toString(cell));
            if (at != null) {
                mix.get(at)[1] += 1.0 / MAX_CORNERS;
                continue;
            }
            seen.put(Arrays.toString(cell), corners.size());
            corners.add(cell);
            cornerCont.add(cont);
            mix.add(new double[] {sample, 1.0 / MAX_CORNERS});
        }
    }

    /** The Euclidean projection of {@code v} onto the probability simplex (Duchi et al. 2008). */
    static double[] projectOntoSimplex(double[] v) {
        double[] u = v.clone();
        Arrays.sort(u);
        double cum = 0, theta = 0;
        for (int j = u.length - 1, n = 1; j >= 0; j--, n++) {
            cum += u[j];
            double t = (cum - 1) / n;
            if (u[j] - t > 0) theta = t;
        }
        double[] p = new double[v.length];
        for (int i = 0; i < v.length; i++) p[i] = Math.max(0, v[i] - theta);
        return p;
    }

    /**
     * Weights proportional to {@code exp(a p) - 1} (a = 0: p itself), with those below {@link #NEGLIGIBLE} dropped:
     * a one-hot p stays one-hot, two equal weights stay equal, and a small weight shrinks.
     */
    static double[] sharpen(double[] p, double a) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            q[i] = a == 0 ? p[i] : Math.expm1(a * p[i]);
            sum += q[i];
        }
        double kept = 0;
        for (int i = 0; i < q.length; i++) {
            q[i] = q[i] / sum < NEGLIGIBLE ? 0 : q[i];
            kept += q[i];
        }
        for (int i = 0; i < q.length; i++) q[i] /= kept;
        return q;
    }
}
