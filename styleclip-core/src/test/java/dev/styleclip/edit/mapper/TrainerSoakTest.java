package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** The training loop keeps what crosses steps (weights, optimizer moments) and frees the rest: memory stays flat. */
class TrainerSoakTest {
    @Test
    void residentMemoryDoesNotGrowWithSteps() throws IOException {
        try (TrainFixture fx = new TrainFixture(); LevelsMapper mapper = fx.ckpt.mapper();
             MapperTrainer t = new MapperTrainer(fx.options(null).with("id_lambda", 0.0), fx.models(mapper, null), fx.train,
                     fx.test, BatchOrder.shuffled(fx.train.size(), 2, 0))) {
            long[] rss = new long[3];
            for (int round = 0; round < rss.length; round++) {
                for (int g = 0; g < 3; g++) {
                    try (PointerScope scope = new PointerScope()) {
                        t.step(fx.train.batch(new int[] {g % 8, (g + 3) % 8}));
                    }
                }
                t.validate();
                rss[round] = Pointer.physicalBytes();
            }
            long grown = rss[2] - rss[1]; // round 0 fills the allocator's pools
            // a leaked step would keep its activations and gradients: MBs each
            assertTrue(grown < 24_000_000, "resident memory grew by " + grown + " bytes");
        }
    }
}
