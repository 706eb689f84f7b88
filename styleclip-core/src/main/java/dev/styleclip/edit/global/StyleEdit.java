package dev.styleclip.edit.global;

import dev.styleclip.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** The global-direction edit itself: s + alpha * delta_s (manipulate.py {@code MSCode}), flat layout. */
public final class StyleEdit {
    private StyleEdit() {
    }

    /** @param flatS [B, sum C]; @param deltaS [sum C] -> [B, sum C] */
    public static Tensor apply(Tensor flatS, Tensor deltaS, double alpha) {
        Tensors.checkShape("delta_s", deltaS, flatS.size(1));
        return flatS.add(deltaS.mul(new Scalar(alpha)));
    }
}
