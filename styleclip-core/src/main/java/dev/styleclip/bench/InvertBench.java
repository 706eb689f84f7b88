package dev.styleclip.bench;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.Projector;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Time per projector step (synthesis with explicit noise maps, the image loss of the published preset without the
 * identity term: MSE, SSIM and the CLIP-feature distance of a ViT-B/32-sized CLIP, the noise regularizer, backward, Adam
 * and the maps' renormalisation) with a config-f generator at the given size, all random weights made in memory. The
 * median step of a run of {@code warmup + repeats} steps, first steps excluded.
 */
public final class InvertBench {
    private InvertBench() {
    }

    public static void run(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        try (Generator g = RandomModels.generator(size, 0); ClipModel clip = RandomModels.clipVitB32(1)) {
            Projector projector = new Projector(g, new ClipFeatureDistance(clip, size), null);
            Tensor target;
            try (NoGradGuard ng = new NoGradGuard()) {
                target = g.synthesize(g.toWPlus(g.mapping(torch.randn(1, RandomModels.STYLE_DIM))), NoiseMode.RANDOM);
            }
            int steps = warmup + repeats;
            List<Double> ms = new ArrayList<>();
            long[] last = {System.nanoTime()};
            projector.sigmaW(); // estimated once per projector, before the first step
            last[0] = System.nanoTime();
            projector.run(target, InversionPreset.PUBLISHED.settings(false).withSteps(steps), (losses, image, latent) -> {
                long now = System.nanoTime();
                if (losses.step() >= warmup) ms.add((now - last[0]) / 1e6);
                last[0] = now;
            });
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Timer.Stats stats = new Timer.Stats(sorted);
            out.println("invert size=" + size + " pass=step(mse+ssim+clip-features+noise-reg,backward,adam) " + stats.format()
                    + String.format(" est_%d_steps_min=%.1f", InversionPreset.PUBLISHED.steps(),
                    stats.median() * InversionPreset.PUBLISHED.steps() / 60000));
            out.flush();
        }
    }
}
