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

/** A long optimization must not grow the process: every step's native tensors are freed with its scope. */
class OptimizationMemoryTest {
    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", ""));
        }
        throw new IllegalStateException("no VmRSS");
    }

    /**
     * The tiny fixture models (a 32-px generator of 32 channels, a 2-layer CLIP): each step still allocates (and, leaked,
     * would keep) its images, feature maps and autograd graph, at a small cost per step.
     */
    @Test
    void fourHundredStepsDoNotGrowResidentMemory() throws IOException {
        try (Generator g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
             ClipModel clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), null);
            var settings = new LatentOptimization.Settings("a person with purple hair", OptimizationMode.EDIT,
                    OptimizationSpace.W_PLUS, 400, 0.1, 0.008, 0.0);
            long[] rss = new long[2];
            var r = method.run(OptimizationMemoryTest.start(g), settings, (losses, image, latent, grad) -> {
                if (losses.step() == 99 || losses.step() == 399) {
                    System.gc();
                    try {
                        rss[losses.step() == 99 ? 0 : 1] = residentKb();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertEquals(400, r.losses().size());
            long growthMb = (rss[1] - rss[0]) / 1024;
            assertTrue(growthMb < 12, "resident memory grew by " + growthMb + " MB over 300 steps (at step 100: " + rss[0] / 1024 + " MB)");
        }
    }

    static org.bytedeco.pytorch.Tensor start(Generator g) {
        return g.toWPlus(g.truncate(g.mapping(dev.styleclip.stylegan2.Latents.seedZ(7, g.config().styleDim())), 0.7));
    }
}
