package dev.styleclip.edit.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A 1,000-step optimization must not grow the process: every step's native tensors are freed with its scope. */
class OptimizationMemoryTest {
    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", ""));
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void thousandStepsDoNotGrowResidentMemory() throws IOException {
        try (Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            var settings = new LatentOptimization.Settings("a person with purple hair", OptimizationMode.EDIT,
                    OptimizationSpace.W_PLUS, 1000, 0.1, 0.008, 0.0);
            long[] rss = new long[2];
            var r = method.run(OptimizationMemoryTest.start(g), settings, (losses, image, latent, grad) -> {
                if (losses.step() == 199 || losses.step() == 999) {
                    System.gc();
                    try {
                        rss[losses.step() == 199 ? 0 : 1] = residentKb();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertEquals(1000, r.losses().size());
            long growthMb = (rss[1] - rss[0]) / 1024;
            System.out.println("resident at step 200: " + rss[0] / 1024 + " MB, at step 1000: " + rss[1] / 1024 + " MB");
            assertTrue(growthMb < 48, "resident memory grew by " + growthMb + " MB over 800 steps");
        }
    }

    static org.bytedeco.pytorch.Tensor start(Generator g) {
        return g.toWPlus(g.truncate(g.mapping(dev.styleclip.stylegan2.Latents.seedZ(7, g.config().styleDim())), 0.7));
    }
}
