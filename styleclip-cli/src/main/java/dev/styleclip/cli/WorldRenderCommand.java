package dev.styleclip.cli;

import dev.styleclip.world.WorldRender;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip world render}: options into {@link WorldRender.Settings}, a line per image written. */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render portraits of the world from seeds.",
                "Writes, per seed N: seed_N.png, seed_N_captions.txt (sampled captions, one a line) and "
                        + "seed_N_attributes.json; and sheet.png, a contact sheet of all seeds."})
public final class WorldRenderCommand implements Callable<Integer> {
    @Option(names = "--seed", required = true, split = ",", arity = "1..*", paramLabel = "N", description = "One or more seeds.")
    List<Long> seeds;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "Image size in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--captions", defaultValue = "10", paramLabel = "K", description = "Captions to sample per seed (default: ${DEFAULT-VALUE}).")
    int captions;

    @Option(names = "--columns", paramLabel = "C", description = "Columns of the contact sheet (default: about the square root of the seed count).")
    Integer columns;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorldRender.Settings settings = new WorldRender.Settings(seeds, size, captions, columns);
        PrintWriter o = spec.commandLine().getOut();
        WorldRender.write(settings, out, file -> o.println("wrote " + file));
        o.flush();
        return 0;
    }
}
