package dev.styleclip.cli;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.bench.SynthBench;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the engine on random weights at published shapes, one line per measurement.",
                "Each line holds medians over --repeats after a warm-up. Targets: synth (StyleGAN2 config-f at --size), clip "
                        + "(ViT-B/32 image encoding), arcface (IR-SE50 ID loss), optimize (one optimization step at --size with "
                        + "ViT-B/32 CLIP and IR-SE50), global-edit (one edit at --size, and the fs3 preparation rate), mapper-apply "
                        + "(latent mapper and synthesis per image at 1024 and 256, or at --size if given, and one mapper training step), invert (one "
                        + "inversion step at --size: synthesis, MSE, SSIM and the ViT-B/32 CLIP-feature distance, noise regularizer, "
                        + "backward, Adam; then one forward pass of the encoder sized for that generator)."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TARGET", description = "What to time: synth, clip, arcface, optimize, global-edit, mapper-apply, invert.")
    String target;

    @Option(names = "--size", defaultValue = "1024", description = "Generator resolution (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--repeats", defaultValue = "10", description = "Timed repeats (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--prepare-images", defaultValue = "2", description = "global-edit: images per channel when timing fs3 preparation (default: ${DEFAULT-VALUE}).")
    int prepareImages;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("repeats", repeats, 1);
        Checks.atLeast("warmup", warmup, 0);
        Checks.atLeast("prepare-images", prepareImages, 1);
        if (Integer.bitCount(size) != 1 || size < 8) throw new SettingException("size", "must be a power of two of 8 or more, not " + size);
        PrintWriter out = spec.commandLine().getOut();
        switch (target) {
            case "synth" -> SynthBench.run(size, warmup, repeats, out);
            case "clip" -> dev.styleclip.bench.ClipBench.run(warmup, repeats, out);
            case "arcface" -> dev.styleclip.bench.ArcFaceBench.run(warmup, repeats, out);
            case "optimize" -> dev.styleclip.bench.OptimizeBench.run(size, warmup, repeats, out);
            case "invert" -> dev.styleclip.bench.InvertBench.run(size, warmup, repeats, out);
            case "global-edit" -> dev.styleclip.bench.GlobalEditBench.run(size, warmup, repeats, prepareImages, out);
            case "mapper-apply" -> dev.styleclip.bench.MapperBench.run(
                    spec.commandLine().getParseResult().hasMatchedOption("--size") ? new int[] {size} : new int[] {1024, 256},
                    warmup, repeats, out);
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown bench target '" + target + "' (available: synth, clip, arcface, optimize, global-edit, mapper-apply, invert)");
        }
        return 0;
    }
}
