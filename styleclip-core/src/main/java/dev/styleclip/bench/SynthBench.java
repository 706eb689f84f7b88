package dev.styleclip.bench;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.MemoryFormat;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.UpsampleConv;
import java.io.PrintWriter;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Synthesis timing of a config-f generator with random weights made in memory (no file needed), for the
 * reference formulation of the upsampling conv (the baseline) and the polyphase one, in the same run.
 */
public final class SynthBench {
    private SynthBench() {
    }

    private record Variant(String name, Generator.Options options) {
    }

    /**
     * Times forward and forward+backward for the reference layout (transposed conv, NCHW: the baseline),
     * then channels-last (the default) and polyphase + channels-last, and prints each one's speed-up over
     * the baseline measured in the same run.
     */
    public static void run(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        dev.styleclip.tensor.Engine.init(); // sets the engine's threads, which the first line reports
        out.println("synth size=" + size + " threads=" + torch.get_num_threads() + " THP_MEM_ALLOC_ENABLE="
                + System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", "unset"));
        List<Variant> variants = List.of(
                new Variant("transposed-nchw", new Generator.Options(UpsampleConv.TRANSPOSED, MemoryFormat.NCHW)),
                new Variant("transposed-channels-last", new Generator.Options(UpsampleConv.TRANSPOSED, MemoryFormat.CHANNELS_LAST)),
                new Variant("polyphase-channels-last", new Generator.Options(UpsampleConv.POLYPHASE, MemoryFormat.CHANNELS_LAST)));
        double[] fwd = new double[variants.size()];
        double[] fb = new double[variants.size()];
        Tensor wplus = null;
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            // one generator per variant, each over the same random weights (same seed); the first one's W+ for all
            try (Generator g = RandomModels.generator(size, 0, v.options())) {
                if (wplus == null) wplus = g.toWPlus(g.mapping(torch.randn(1, 512)));
                Tensor input = wplus;
                String tag = "synth size=" + size + " variant=" + v.name();
                Timer.Stats f = Timer.measure(warmup, repeats, () -> {
                    try (NoGradGuard ng = new NoGradGuard()) {
                        g.synthesize(input, NoiseMode.CONST);
                    }
                });
                out.println(tag + " pass=forward " + f.format());
                out.flush();
                Timer.Stats b = Timer.measure(warmup, repeats, () -> {
                    Tensor w = input.detach().clone();
                    w.set_requires_grad(true);
                    g.synthesize(w, NoiseMode.CONST).square().mean().backward();
                });
                out.println(tag + " pass=forward+backward " + b.format());
                out.flush();
                fwd[i] = f.median();
                fb[i] = b.median();
            }
        }
        for (int i = 1; i < variants.size(); i++) {
            out.printf("synth size=%d speedup_over_%s variant=%s forward=%.2fx forward+backward=%.2fx%n", size,
                    variants.get(0).name(), variants.get(i).name(), fwd[0] / fwd[i], fb[0] / fb[i]);
        }
        out.flush();
    }
}
