package dev.styleclip.edit.global;

import dev.styleclip.stylegan2.StyleLayer;
import dev.styleclip.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * StyleCLIP's boundary for a text direction (global_torch/StyleCLIP.py {@code GetBoundary}, {@code SplitS}):
 * the relevance of each channel to the direction is fs3 . dt; channels with |relevance| below beta are
 * dropped; the rest, divided by the largest |relevance|, become a change of S in units of each channel's
 * standard deviation. ToRGB entries (and entries fs3 does not cover) do not move.
 *
 * @param projection  fs3 . dt, one value per fs3 row [R]
 * @param deltaS      the direction in flat S [sum C]
 * @param channels    how many channels change
 * @param keptRows    the fs3 rows with |projection| >= beta
 */
public record Boundary(Tensor projection, Tensor deltaS, int channels, long[] keptRows) {

    /**
     * @param fs3    [R, D] channel relevance, rows in S order over the non-ToRGB entries
     * @param dt     [D] unit text direction
     * @param layout the generator's S layout
     * @param stdS   [sum C] per-channel std of S
     * @param beta   the threshold
     */
    public static Boundary of(Tensor fs3, Tensor dt, List<StyleLayer> layout, Tensor stdS, double beta) {
        Tensors.checkShape("dt", dt, fs3.size(1));
        float[] proj = Tensors.toFloatArray(fs3.matmul(dt));
        float threshold = (float) beta; // numpy compares a float32 array with a Python float in float32
        float[] kept = new float[proj.length];
        float maxAbs = 0;
        int count = 0;
        for (int i = 0; i < proj.length; i++) {
            if (!(Math.abs(proj[i]) < threshold)) {
                kept[i] = proj[i];
                maxAbs = Math.max(maxAbs, Math.abs(proj[i]));
                count++;
            }
        }
        long[] rows = new long[count];
        for (int i = 0, k = 0; i < proj.length; i++) if (!(Math.abs(proj[i]) < threshold)) rows[k++] = i;
        if (maxAbs > 0) for (int i = 0; i < kept.length; i++) kept[i] /= maxAbs;
        Tensor ds = splitS(kept, layout, Tensors.toFloatArray(stdS));
        return new Boundary(Tensors.floats(proj, proj.length), ds, count, rows);
    }

    /** Spreads per-row values over flat S: non-ToRGB entries in order, times std; ToRGB and uncovered entries 0. */
    static Tensor splitS(float[] rowValues, List<StyleLayer> layout, float[] std) {
        int total = 0;
        for (StyleLayer l : layout) total += l.channels();
        float[] ds = new float[total];
        int offset = 0;
        int row = 0;
        for (StyleLayer l : layout) {
            if (!l.toRgb() && row + l.channels() <= rowValues.length) {
                for (int c = 0; c < l.channels(); c++) ds[offset + c] = rowValues[row + c] * std[offset + c];
                row += l.channels();
            }
            offset += l.channels();
        }
        return Tensors.floats(ds, total);
    }

    /**
     * The beta StyleCLIP's GUI picks (global_directions/Inference.py {@code GetDt2}): of the betas
     * 0.10, 0.11, ..., 0.29, the largest that still changes more than {@code minChannels} channels (20 for
     * FFHQ, 100 otherwise), or 0.1 if none does.
     */
    public static double guiBeta(Tensor fs3, Tensor dt, int minChannels) {
        float[] proj = Tensors.toFloatArray(fs3.matmul(dt));
        double chosen = 0.1;
        for (double beta : guiBetas()) {
            int n = 0;
            for (float p : proj) if (!(Math.abs(p) < beta)) n++; // float64 comparison, as numpy does for these betas
            if (n > minChannels) chosen = beta;
        }
        return chosen;
    }

    /** np.arange(0.1, 0.3, 0.01) exactly as numpy computes it: start + i * step. */
    public static double[] guiBetas() {
        double[] b = new double[20];
        for (int i = 0; i < b.length; i++) b[i] = 0.1 + i * 0.01;
        return b;
    }

    /** Number of channels each GUI beta would change. */
    public static long[] guiChannelCounts(Tensor fs3, Tensor dt) {
        float[] proj = Tensors.toFloatArray(fs3.matmul(dt));
        double[] betas = guiBetas();
        long[] n = new long[betas.length];
        for (int k = 0; k < betas.length; k++) for (float p : proj) if (!(Math.abs(p) < betas[k])) n[k]++;
        return n;
    }
}
