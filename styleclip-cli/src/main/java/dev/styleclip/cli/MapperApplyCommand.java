package dev.styleclip.cli;

import dev.styleclip.edit.mapper.MapperInference;
import dev.styleclip.edit.mapper.MapperLevel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip mapper apply}: options to {@link MapperInference.Settings}, then one {@link MapperInference#run}. */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Apply a trained mapper to latents, as StyleCLIP's mapper/scripts/inference.py does, and write the edited images.",
                "The edit is w_hat = w + 0.1 * M(w); the edited image is decoder(w_hat) and the original decoder(w), both with the "
                        + "generator's fixed noise and no truncation of W+ codes, computed in batches.",
                "It writes OUT/edited_<i>.png, OUT/strip_<i>.png (before | after), OUT/w_hat.npy and OUT/w_hat.pt [N, L, style_dim] "
                        + "(style_dim 512 for FFHQ); the mapper's width must be the generator's style_dim.",
                "Files of the same names are replaced; a run that fails or is stopped (Ctrl-C, SIGTERM) leaves none of its files."})
public final class MapperApplyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "M",
            description = "Mapper checkpoint ({'state_dict', 'opts'}, as StyleCLIP's coach and this tool write it; the published mappers).")
    Path checkpoint;

    @Option(names = "--generator", paramLabel = "G",
            description = "Generator checkpoint to use instead of the decoder stored in the mapper checkpoint (needed if it has none).")
    Path generator;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--latent", paramLabel = "FILE",
                description = "Latents to edit (.pt or .npy): W+ [N, L, style_dim] (512 for FFHQ; e.g. e4e inversions) or as --space says.")
        Path latent;

        @Option(names = "--seed", split = ",", arity = "1..*", paramLabel = "N",
                description = "Seeds: z = randn(1, style_dim) after torch.manual_seed(N), mapped and truncated (--truncation).")
        List<Long> seeds;
    }

    @Option(names = "--space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of the --latent file (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(names = "--truncation", defaultValue = "0.7", paramLabel = "PSI",
            description = "Truncation of seeds (and of z / w files) towards the mean latent, in (0, 1]; 1 = none (default: ${DEFAULT-VALUE}).")
    double truncation;

    @Option(names = "--levels", split = ",", paramLabel = "L",
            description = "Active sub-mappers among those in the checkpoint: coarse, medium, fine (default: all it has).")
    List<String> levels;

    @Option(names = "--batch-size", defaultValue = "2", paramLabel = "B", description = "Latents per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var latentSpace = OptionChecks.latentSpace("space", space);
        MapperInference.Source from = source.seeds != null ? new MapperInference.Seeds(source.seeds)
                : new MapperInference.LatentFile(source.latent, latentSpace);
        var settings = new MapperInference.Settings(checkpoint, generator, levels == null ? null : MapperLevel.parseLevels(levels), from,
                truncation, batchSize, out);
        PrintWriter o = spec.commandLine().getOut();
        MapperInference.run(settings, file -> o.println("wrote " + file));
        o.flush();
        return 0;
    }
}
