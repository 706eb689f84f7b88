package dev.styleclip.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {
    @Test
    void gradientOfSquareSumIsTwiceTheInput() {
        Engine.init();
        Tensor x = Tensors.floats(new float[] {1, 2, 3}, 3);
        x.set_requires_grad(true);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        assertEquals(14f, loss.item_float(), 0f);
        assertArrayEquals(new float[] {2, 4, 6}, Tensors.toFloatArray(x.grad()), 0f);
    }
}
