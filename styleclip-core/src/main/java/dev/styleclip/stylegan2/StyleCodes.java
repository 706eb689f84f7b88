package dev.styleclip.stylegan2;

import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Style space S in two layouts: the generator's list of [B, 1, C_i, 1, 1] tensors, and the flat
 * [B, sum C_i] rows (entries concatenated in S order) that StyleCLIP's global-direction files use.
 */
public final class StyleCodes {
    private StyleCodes() {
    }

    /** Total channels of S. */
    public static int totalChannels(List<StyleLayer> layout) {
        int n = 0;
        for (StyleLayer l : layout) n += l.channels();
        return n;
    }

    /** Offset of each entry in the flat layout. */
    public static int[] offsets(List<StyleLayer> layout) {
        int[] off = new int[layout.size()];
        for (int i = 1; i < off.length; i++) off[i] = off[i - 1] + layout.get(i - 1).channels();
        return off;
    }

    /** [B, 1, C_i, 1, 1] list -> [B, sum C_i]. */
    public static Tensor flatten(List<Tensor> s) {
        TensorVector parts = new TensorVector();
        for (Tensor t : s) parts.push_back(t.reshape(t.size(0), t.size(2)));
        return torch.cat(parts, 1);
    }

    /** [B, sum C_i] -> the generator's list of [B, 1, C_i, 1, 1]. */
    public static List<Tensor> unflatten(Tensor flat, List<StyleLayer> layout) {
        Tensors.checkShape("flat style codes", flat, -1, totalChannels(layout));
        List<Tensor> out = new ArrayList<>(layout.size());
        int off = 0;
        for (StyleLayer l : layout) {
            out.add(flat.narrow(1, off, l.channels()).reshape(flat.size(0), 1, l.channels(), 1, 1));
            off += l.channels();
        }
        return out;
    }
}
