package dev.styleclip.bench;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.Projector;
import dev.styleclip.invert.encoder.Encoder4Editing;
import dev.styleclip.invert.encoder.EncoderConfig;
import dev.styleclip.invert.encoder.NormStatistics;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.GeneratorConfig;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
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
 * median step of a run of {@code warmup + repeats} steps, first steps excluded. Then one forward pass of the e4e encoder
 * that {@link EncoderConfig#forGenerator} sizes for that generator (e4e's IR-SE50 encoder, reading at most 256 px), per
 * image, BatchNorm on its running statistics: what {@code invert --method encoder} costs per image before synthesis.
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
        encoder(size, warmup, repeats, out);
    }

    /** One forward pass of a freshly initialised encoder sized for a config-f generator of {@code size}, batch 1. */
    static void encoder(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        EncoderConfig c = EncoderConfig.forGenerator(GeneratorConfig.standard(size, RandomModels.STYLE_DIM, 8, 2));
        try (Encoder4Editing net = Encoder4Editing.initialize(c, 0); PointerScope scope = new PointerScope()) {
            torch.manual_seed(1);
            Tensor x = torch.rand(1, 3, c.inputSize(), c.inputSize()).mul(new Scalar(2)).sub(new Scalar(1));
            Timer.Stats s = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    net.forward(x, NormStatistics.RUNNING);
                }
            });
            out.printf("encoder size=%d input=%d params=%d batch=1 pass=forward %s%n", size, c.inputSize(), net.parameterCount(), s.format());
            out.flush();
        }
    }
}
