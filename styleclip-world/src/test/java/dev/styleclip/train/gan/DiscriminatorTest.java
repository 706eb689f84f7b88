package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class DiscriminatorTest {
    /** rosinality's Discriminator(64).state_dict() keys, written out from model.py (ConvLayer = Sequential). */
    static final List<String> ROSINALITY_64 = List.of(
            "convs.0.0.weight", "convs.0.1.bias",
            "convs.1.conv1.0.weight", "convs.1.conv1.1.bias", "convs.1.conv2.0.kernel", "convs.1.conv2.1.weight", "convs.1.conv2.2.bias",
            "convs.1.skip.0.kernel", "convs.1.skip.1.weight",
            "convs.2.conv1.0.weight", "convs.2.conv1.1.bias", "convs.2.conv2.0.kernel", "convs.2.conv2.1.weight", "convs.2.conv2.2.bias",
            "convs.2.skip.0.kernel", "convs.2.skip.1.weight",
            "convs.3.conv1.0.weight", "convs.3.conv1.1.bias", "convs.3.conv2.0.kernel", "convs.3.conv2.1.weight", "convs.3.conv2.2.bias",
            "convs.3.skip.0.kernel", "convs.3.skip.1.weight",
            "convs.4.conv1.0.weight", "convs.4.conv1.1.bias", "convs.4.conv2.0.kernel", "convs.4.conv2.1.weight", "convs.4.conv2.2.bias",
            "convs.4.skip.0.kernel", "convs.4.skip.1.weight",
            "final_conv.0.weight", "final_conv.1.bias",
            "final_linear.0.weight", "final_linear.0.bias", "final_linear.1.weight", "final_linear.1.bias");

    @Test
    void keysAndShapesMatchRosinality64() {
        Map<Integer, Integer> ch = GeneratorConfig.standard(64, 512, 8, 2).channels(); // all 512 at 64 px, channel_multiplier 2
        Map<String, long[]> s = Discriminator.shapes(64, ch);
        assertEquals(ROSINALITY_64, new ArrayList<>(s.keySet()));
        assertArrayEquals(new long[] {512, 3, 1, 1}, s.get("convs.0.0.weight"));
        assertArrayEquals(new long[] {512, 512, 3, 3}, s.get("convs.1.conv2.1.weight"));
        assertArrayEquals(new long[] {512, 512, 1, 1}, s.get("convs.4.skip.1.weight"));
        assertArrayEquals(new long[] {4, 4}, s.get("convs.2.skip.0.kernel"));
        assertArrayEquals(new long[] {512, 513, 3, 3}, s.get("final_conv.0.weight"));
        assertArrayEquals(new long[] {512, 512 * 16}, s.get("final_linear.0.weight"));
        assertArrayEquals(new long[] {1, 512}, s.get("final_linear.1.weight"));
    }

    @Test
    void smallTableShapesFollowTheChannels() {
        Map<Integer, Integer> ch = GanOptions.parseChannels("4:256,8:256,16:128,32:64,64:32");
        Map<String, long[]> s = Discriminator.shapes(64, ch);
        assertEquals(ROSINALITY_64, new ArrayList<>(s.keySet()));
        assertArrayEquals(new long[] {32, 3, 1, 1}, s.get("convs.0.0.weight"));
        assertArrayEquals(new long[] {32, 32, 3, 3}, s.get("convs.1.conv1.0.weight"));
        assertArrayEquals(new long[] {64, 32, 3, 3}, s.get("convs.1.conv2.1.weight")); // 64 px -> 32 px: ch[32]
        assertArrayEquals(new long[] {256, 128, 1, 1}, s.get("convs.3.skip.1.weight")); // 16 px -> 8 px
        assertArrayEquals(new long[] {256, 256, 1, 1}, s.get("convs.4.skip.1.weight")); // 8 px -> 4 px
        assertArrayEquals(new long[] {256, 257, 3, 3}, s.get("final_conv.0.weight"));
    }

    @Test
    void forwardShapesAndStrictLoading() throws CheckpointException {
        Engine.init();
        Map<Integer, Integer> ch = GanOptions.parseChannels("4:32,8:32,16:16,32:16");
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            Discriminator d = new Discriminator(StateDict.ofTensors("d", GanWeights.discriminator(32, ch)), 32, ch);
            for (int b : new int[] {1, 2, 4, 8}) {
                Tensor out = d.forward(torch.randn(b, 3, 32, 32));
                assertArrayEquals(new long[] {b, 1}, out.shape());
                assertTrue(Double.isFinite(out.sum().item_double()));
            }
            assertThrows(IllegalArgumentException.class, () -> d.forward(torch.randn(6, 3, 32, 32)));
            // stddev feature: a batch of identical images has zero spread, so each output equals the single-image output
            Tensor one = torch.randn(1, 3, 32, 32);
            double single = d.forward(one).item_double();
            Tensor four = d.forward(one.repeat(4, 1, 1, 1));
            assertEquals(single, four.select(0, 3).item_double(), 1e-4);

            Map<String, Tensor> w = GanWeights.discriminator(32, ch);
            w.remove("final_linear.1.bias");
            CheckpointException e = assertThrows(CheckpointException.class, () -> new Discriminator(StateDict.ofTensors("d", w), 32, ch));
            assertTrue(e.getMessage().contains("final_linear.1.bias"), e.getMessage());
        }
    }
}
