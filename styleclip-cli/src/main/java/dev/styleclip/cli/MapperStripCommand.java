package dev.styleclip.cli;

import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "strip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a mapper checkpoint without its decoder: the mapper's weights and the training opts only.",
                "The result is a fraction of the size (the reference saves the whole generator beside every mapper); "
                        + "'mapper apply' and 'edit --mapper' read it when the generator is given separately."})
public final class MapperStripCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Mapper checkpoint (from 'mapper train', or a published one).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the decoder-less checkpoint.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(in)) throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + in);
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out must differ from the input checkpoint");
        }
        MapperCheckpoint ckpt = MapperCheckpoint.read(in);
        try (LevelsMapper mapper = ckpt.mapper()) {
            MapperCheckpoint.writeWithoutDecoder(out, mapper, ckpt.opts());
        }
        spec.commandLine().getOut().printf("wrote %s (%d KB; mapper width %d, levels %s; was %d KB)%n", out, Files.size(out) / 1024,
                ckpt.width(), ckpt.levels(), Files.size(in) / 1024);
        return 0;
    }
}
