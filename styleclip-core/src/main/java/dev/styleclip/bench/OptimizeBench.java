package dev.styleclip.bench;

import dev.styleclip.arcface.Backbone;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.StateDict;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Time per latent-optimization step (synthesis, CLIP loss, ID loss, backward, Adam) with a config-f
 * generator at the given size, a ViT-B/32-sized CLIP and the full IR-SE50, all random weights made in memory.
 * The median step of a run of {@code warmup + repeats} steps, first steps excluded.
 */
public final class OptimizeBench {
    private OptimizeBench() {
    }

    public static void run(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        try (Generator g = RandomModels.generator(size, 0);
             ClipModel clip = RandomModels.clipVitB32(1);
             IdLoss id = new IdLoss(Backbone.create(IrSeConfig.irSe50(),
                     StateDict.ofTensors("random IR-SE50", ArcFaceBench.randomWeights(IrSeConfig.irSe50(), 2))))) {
            LatentOptimization method = new LatentOptimization(g, new ClipLoss(clip, size, ImageNormalization.NONE), id);
            Tensor start = g.toWPlus(g.truncate(g.mapping(torch.randn(1, 512)), 0.7)).detach();
            int steps = warmup + repeats;
            List<Double> ms = new ArrayList<>();
            long[] last = {System.nanoTime()};
            method.run(start, new LatentOptimization.Settings("a person with purple hair", OptimizationMode.EDIT,
                    OptimizationSpace.W_PLUS, steps, 0.1, 0.008, 0.005), (losses, image, latent, grad) -> {
                long now = System.nanoTime();
                if (losses.step() >= warmup) ms.add((now - last[0]) / 1e6);
                last[0] = now;
            });
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Timer.Stats stats = new Timer.Stats(sorted);
            out.println("optimize size=" + size + " pass=step(clip+id+l2,backward,adam) " + stats.format()
                    + String.format(" est_300_steps_min=%.1f", stats.median() * 300 / 60000));
            out.flush();
        }
    }
}
