package dev.styleclip.cli;

import dev.styleclip.check.Checks;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.StoppedException;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.DirectionsFolder;
import dev.styleclip.edit.global.RelevancePreparation;
import dev.styleclip.io.Hashes;
import dev.styleclip.stylegan2.Generator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prepare global directions: the S statistics and fs3, the CLIP relevance of every style channel.",
                "Computes what global_torch/SingleChannel.py does, into --out DIR. Long work: it shows progress and the time "
                        + "left, and a rerun with the same options resumes where an interrupted (Ctrl-C) or failed one stopped, "
                        + "recomputing nothing: DIR keeps every finished chunk in DIR/work/ until fs3.npy is written."})
public final class GlobalPrepareCommand implements Callable<Integer> {
    @Option(names = "--generator", required = true, paramLabel = "G", description = "StyleGAN2 generator checkpoint.")
    Path generator;

    @Option(names = "--clip", required = true, paramLabel = "C", description = "CLIP checkpoint.")
    Path clip;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directions folder to write (or resume).")
    Path out;

    @Option(names = "--images", defaultValue = "100", description = "Images per channel, M (default: ${DEFAULT-VALUE}, as the reference).")
    int images;

    @Option(names = "--samples", defaultValue = "100000", description = "Samples for the S mean/std (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--alpha", defaultValue = "5", description = "Channel move in standard deviations (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--max-entry", defaultValue = "16", description = "Highest S index covered (default: ${DEFAULT-VALUE}: up to 128 px, as global_torch).")
    int maxEntry;

    @Option(names = "--batch", defaultValue = "0", description = "Images synthesised at once (default: by resolution).")
    int batch;

    @Option(names = "--seed", defaultValue = "5", description = "Seed of the sampled z (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("images", images, 1);
        Checks.atLeast("samples", samples, images);
        Checks.positive("alpha", alpha);
        Checks.atLeast("max-entry", maxEntry, 0);
        Checks.atLeast("batch", batch, 0);
        OutputFiles.checkFolder(out);
        try (Generator g = Generator.load(generator); ClipModel model = ClipModel.load(clip)) {
            int size = g.config().size();
            int b = batch > 0 ? batch : Math.max(2, Math.min(256, (256 * 256 * 16) / (size * size)));
            var settings = new RelevancePreparation.Settings(images, alpha, maxEntry, 8, b);
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("generator_sha256", Hashes.sha256(generator));
            provenance.put("clip_sha256", Hashes.sha256(clip));
            DirectionsFolder folder = new DirectionsFolder(out);
            int rows = 0;
            for (var l : RelevancePreparation.entries(g.styleLayout(), maxEntry)) rows += l.channels();
            StepPrinter printer = new StepPrinter(spec.commandLine().getErr(), "fs3", Math.max(1, rows / 20));
            try {
                folder.prepare(g, model, provenance, samples, seed, settings, (done, total) -> printer.step(done - 1, total, "channels"));
            } catch (StoppedException e) {
                spec.commandLine().getErr().println("global prepare: stopped; the same command continues where it stopped");
                throw e;
            }
            var o = spec.commandLine().getOut();
            o.println("wrote " + out.resolve("fs3.npy") + " (" + rows + " channels), s_mean.npy, s_std.npy, rows.npy");
            o.flush();
        }
        return 0;
    }
}
