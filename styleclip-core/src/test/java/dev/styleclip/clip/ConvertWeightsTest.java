package dev.styleclip.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** clip.load's fp16 round trip on float32 values that float16 cannot hold, and float32 kept where it should be. */
class ConvertWeightsTest {

    @Test
    void roundsToNearestEvenHalfAndKeepsFloat32Elsewhere() throws CheckpointException {
        Engine.init();
        // 1 + 2^-11 is halfway between two halves (1 and 1 + 2^-10): ties to even gives 1.
        // 1 + 3 * 2^-12 rounds up to 1 + 2^-10; 70000 overflows float16 to +inf, as .half() does.
        float[] values = {1f + 0x1p-11f, 1f + 3 * 0x1p-12f, 70000f, 0.1f};
        try (PointerScope owner = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("proj", Tensors.floats(values, 4));
            tensors.put("class_embedding", Tensors.floats(values, 4));
            StateDict sd = StateDict.ofTensors("test", tensors);
            ConvertWeights w = new ConvertWeights(sd, owner);
            float[] half = Tensors.toFloatArray(w.fp16RoundTrip("proj", 4).value());
            float[] full = Tensors.toFloatArray(w.fp32("class_embedding", 4).value());
            sd.finish("test");
            assertArrayEquals(new float[] {1f, 1f + 0x1p-10f, Float.POSITIVE_INFINITY, 0.0999755859375f}, half);
            assertArrayEquals(values, full);
            assertEquals(Set.of("proj"), w.roundedKeys());
            // the source tensor is not modified in place
            assertArrayEquals(values, Tensors.toFloatArray(tensors.get("proj")));
        }
    }

    @Test
    void trainableWeightsReadTheSameRoundingStraightThroughOntoFloat32Masters() throws CheckpointException {
        Engine.init();
        float[] values = {1f + 0x1p-11f, 1f + 3 * 0x1p-12f, 70000f, 0.1f};
        try (PointerScope owner = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("proj", Tensors.floats(values, 4));
            tensors.put("class_embedding", Tensors.floats(values, 4));
            tensors.put("token_embedding.weight", Tensors.floats(values, 2, 2));
            StateDict sd = StateDict.ofTensors("test", tensors);
            TrainableWeights w = new TrainableWeights(sd, owner);
            ClipParameter proj = w.fp16RoundTrip("proj", 4);
            ClipParameter cls = w.fp32("class_embedding", 4);
            ClipParameter tokens = w.tokenEmbedding("token_embedding.weight", 2, 2);
            sd.finish("test");
            // the forward pass sees the values a load gives; the masters keep float32 and require gradients
            assertArrayEquals(new float[] {1f, 1f + 0x1p-10f, Float.POSITIVE_INFINITY, 0.0999755859375f},
                    Tensors.toFloatArray(proj.value()));
            assertArrayEquals(values, Tensors.toFloatArray(cls.value()));
            assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.0999755859375f},
                    Tensors.toFloatArray(tokens.rows(Tensors.longs(1)).view(-1)));
            assertEquals(java.util.List.of("proj", "class_embedding", "token_embedding.weight"),
                    new java.util.ArrayList<>(w.tensors().keySet()));
            assertEquals(Set.of("proj", "token_embedding.weight"), w.roundedKeys());
            for (Tensor m : w.tensors().values()) assertEquals(true, m.requires_grad());
            assertArrayEquals(values, Tensors.toFloatArray(w.tensors().get("proj")));
            // straight-through: the gradient reaches the master unchanged
            float[] weights = {1f, 2f, 0f, 4f};
            proj.value().mul(Tensors.floats(weights, 4)).sum().backward();
            assertArrayEquals(weights, Tensors.toFloatArray(w.tensors().get("proj").grad()));
            // the masters are copies: the source tensors are neither shared nor changed
            w.tensors().get("class_embedding").detach().zero_();
            assertArrayEquals(values, Tensors.toFloatArray(tensors.get("class_embedding")));
        }
    }
}
