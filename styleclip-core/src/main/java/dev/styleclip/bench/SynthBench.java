package dev.styleclip.bench;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.StateDict;
import java.io.PrintWriter;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Synthesis timing of a config-f generator with random weights made in memory (no file needed). */
public final class SynthBench {
    private SynthBench() {
    }

    public static void run(int size, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        GeneratorConfig cfg = GeneratorConfig.standard(size, 512, 8, 2);
        try (Generator g = Generator.create(cfg, StateDict.random("random config-f " + size, 0), torch.zeros(512), "random")) {
            Tensor wplus = g.toWPlus(g.mapping(torch.randn(1, 512)));
            Timer.Stats fwd = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    g.synthesize(wplus, NoiseMode.CONST);
                }
            });
            out.println("synth size=" + size + " pass=forward " + fwd.format());
            out.flush();
            Timer.Stats fb = Timer.measure(warmup, repeats, () -> {
                Tensor w = wplus.detach().clone();
                w.set_requires_grad(true);
                g.synthesize(w, NoiseMode.CONST).square().mean().backward();
            });
            out.println("synth size=" + size + " pass=forward+backward " + fb.format());
            out.flush();
        }
    }
}
