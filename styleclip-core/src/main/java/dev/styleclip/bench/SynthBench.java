package dev.styleclip.bench;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.UpsampleConv;
import java.io.PrintWriter;
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

    public static void run(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        try (Generator g = RandomModels.generator(size, 0)) {
            Tensor wplus = g.toWPlus(g.mapping(torch.randn(1, 512)));
            double[] fwd = new double[2];
            double[] fb = new double[2];
            UpsampleConv[] impls = {UpsampleConv.TRANSPOSED, UpsampleConv.POLYPHASE};
            for (int i = 0; i < impls.length; i++) {
                g.setUpsampleConv(impls[i]);
                String tag = "synth size=" + size + " upsample=" + impls[i].name().toLowerCase();
                Timer.Stats f = Timer.measure(warmup, repeats, () -> {
                    try (NoGradGuard ng = new NoGradGuard()) {
                        g.synthesize(wplus, NoiseMode.CONST);
                    }
                });
                out.println(tag + " pass=forward " + f.format());
                out.flush();
                Timer.Stats b = Timer.measure(warmup, repeats, () -> {
                    Tensor w = wplus.detach().clone();
                    w.set_requires_grad(true);
                    g.synthesize(w, NoiseMode.CONST).square().mean().backward();
                });
                out.println(tag + " pass=forward+backward " + b.format());
                out.flush();
                fwd[i] = f.median();
                fb[i] = b.median();
            }
            out.printf("synth size=%d ratio_transposed_over_polyphase_time forward=%.2fx forward+backward=%.2fx%n",
                    size, fwd[0] / fwd[1], fb[0] / fb[1]);
            out.flush();
        }
    }
}
