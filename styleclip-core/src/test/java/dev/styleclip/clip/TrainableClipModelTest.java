package dev.styleclip.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * A trainable CLIP runs the loaded model's forward pass over float32 masters: it computes what its weights compute
 * once stored in OpenAI's layout (the fp16 keys as float16) and loaded, and its gradients reach every master.
 */
class TrainableClipModelTest {
    private static final ClipConfig TINY = new ClipConfig(16, 16, 2, 64, 4, 77, 1000, 64, 1, 2);

    /** The masters as a file stores them and a load widens them: the fp16 keys rounded, the rest as they are. */
    private static Map<String, Tensor> asSaved(ClipModel trainable) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : trainable.parameters().entrySet()) {
            Tensor v = e.getValue().detach();
            sd.put(e.getKey(), trainable.fp16RoundTripKeys().contains(e.getKey()) ? v.to(ScalarType.Half).to(ScalarType.Float) : v);
        }
        return sd;
    }

    private static Tensor tokens() {
        // end tokens (the largest id) at positions 3 and 6: the rest of the context is padding
        long[] ids = new long[2 * 77];
        long[][] rows = {{5, 17, 400, 999}, {5, 3, 8, 9, 10, 11, 999}};
        for (int r = 0; r < 2; r++) System.arraycopy(rows[r], 0, ids, r * 77, rows[r].length);
        return Tensors.longs(ids).view(2, 77);
    }

    @Test
    void computesWhatItsSavedWeightsComputeOnceLoaded() throws CheckpointException {
        Engine.init();
        try (PointerScope s = new PointerScope();
             ClipModel all = ClipModel.trainable(TINY, StateDict.random("tiny", 1), ClipModel.TextPositions.ALL);
             ClipModel shortText = ClipModel.trainable(TINY, StateDict.random("tiny", 1), ClipModel.TextPositions.THROUGH_LAST_END_TOKEN);
             ClipModel loaded = ClipModel.fromStateDict(StateDict.ofTensors("saved", asSaved(all)), "saved");
             NoGradGuard ng = new NoGradGuard()) {
            assertEquals(TINY, loaded.config());
            assertEquals(ClipModel.TextPositions.ALL, loaded.textPositions());
            // the file stores the token embedding as float16 too, which a load widens but does not round again
            assertTrue(all.fp16RoundTripKeys().contains("token_embedding.weight"));
            assertEquals(all.fp16RoundTripKeys().size(), loaded.fp16RoundTripKeys().size() + 1);
            assertEquals(all.parameters().keySet(), loaded.parameters().keySet());
            for (Tensor p : all.parameters().values()) {
                assertTrue(p.requires_grad() && p.scalar_type().intern() == ScalarType.Float);
            }
            Tensor image = torch.randn(3, 3, 16, 16);
            assertEquals(0.0, Tensors.maxAbsDiff(all.encodeImage(image), loaded.encodeImage(image)), 0.0);
            assertEquals(0.0, Tensors.maxAbsDiff(shortText.encodeImage(image), loaded.encodeImage(image)), 0.0);
            assertEquals(0.0, Tensors.maxAbsDiff(all.encodeText(tokens()), loaded.encodeText(tokens())), 0.0);
            double d = Tensors.maxAbsDiff(shortText.encodeText(tokens()), loaded.encodeText(tokens()));
            assertEquals(0.0, d, 1e-5, "positions after the last end token change nothing but float rounding");
            assertEquals(0.0, Tensors.maxAbsDiff(all.forward(image, tokens()).perImage(),
                    loaded.forward(image, tokens()).perImage()), 0.0);
        }
    }

    @Test
    void gradientsReachEveryMaster() throws CheckpointException {
        Engine.init();
        try (PointerScope s = new PointerScope();
             ClipModel m = ClipModel.trainable(TINY, StateDict.random("tiny", 2), ClipModel.TextPositions.THROUGH_LAST_END_TOKEN)) {
            ClipModel.Logits l = m.forward(torch.randn(2, 3, 16, 16), tokens());
            torch.log_softmax(l.perImage(), 1).diagonal().sum().neg().backward();
            for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
                Tensor g = e.getValue().grad();
                assertTrue(g.defined(), e.getKey() + " has no gradient");
                assertTrue(g.abs().sum().item_double() > 0, e.getKey() + " has a zero gradient");
            }
            // a step on the masters changes what the forward pass reads
            Tensor before = m.encodeImage(torch.ones(1, 3, 16, 16)).detach().clone();
            try (NoGradGuard ng = new NoGradGuard()) {
                m.parameters().get("visual.proj").add_(new Scalar(0.5));
            }
            assertTrue(Tensors.maxAbsDiff(before, m.encodeImage(torch.ones(1, 3, 16, 16))) > 0);
        }
    }

    @Test
    void initialWeightsAreTakenStrictly() {
        Engine.init();
        try (PointerScope s = new PointerScope()) {
            Map<String, Tensor> some = new LinkedHashMap<>();
            some.put("logit_scale", torch.zeros(new long[0]));
            some.put("stray", torch.zeros(3));
            var e = assertThrows(CheckpointException.class,
                    () -> ClipModel.trainable(TINY, StateDict.ofTensors("partial", some), ClipModel.TextPositions.ALL).close());
            assertTrue(e.getMessage().contains("missing keys") && e.getMessage().contains("unexpected keys (1) stray"), e.getMessage());
        }
    }
}
