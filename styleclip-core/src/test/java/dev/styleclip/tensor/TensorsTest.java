package dev.styleclip.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.styleclip.io.DType;
import dev.styleclip.io.RawTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorsTest {
    @BeforeAll
    static void engine() {
        Engine.init();
    }

    @Test
    void finiteValuesPass() {
        Tensors.requireFinite("latent.npy", Tensors.floats(new float[] {0f, -1e30f, Float.MIN_VALUE, Float.MAX_VALUE}, 2, 2));
        Tensors.requireFinite("tokens.npy", Tensors.longs(1, 2, 3));
        Tensors.requireFinite("empty.npy", Tensors.floats(new float[0], 0, 512));
    }

    @Test
    void nanAndBothInfinitiesAreCountedAndNamed() {
        Tensor t = Tensors.floats(new float[] {1f, Float.NaN, 2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3f}, 1, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensors.requireFinite("latent.npy", t));
        assertEquals("latent.npy holds 3 non-finite values (NaN or infinity) out of 6; its values must all be finite", e.getMessage());
    }

    @Test
    void oneNonFiniteValueInAHalfTensorThatRequiresGrad() {
        ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x3c00).putShort((short) 0x7c00).putShort((short) 0xbc00); // 1, +inf, -1 in float16
        Tensor t = Tensors.fromRaw(new RawTensor(DType.FLOAT16, new long[] {3}, b.flip()));
        assertEquals(ScalarType.Half, t.scalar_type().intern());
        t.set_requires_grad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensors.requireFinite("image.npy", t));
        assertEquals("image.npy holds 1 non-finite value (NaN or infinity) out of 3; its values must all be finite", e.getMessage());
    }
}
