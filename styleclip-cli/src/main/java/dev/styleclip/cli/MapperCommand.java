package dev.styleclip.cli;

import dev.styleclip.edit.mapper.MapperLevel;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip mapper ...}: StyleCLIP's latent mapper (method 2), trained per prompt, then applied. */
@Command(name = "mapper", mixinStandardHelpOptions = true,
        description = {"The latent mapper (StyleCLIP method 2): train one per prompt, apply it to latents.",
                "The edit is w + 0.1 * M(w) on W+, with sub-mappers for coarse (rows 0-3), medium (4-7) and fine (8+) rows."},
        subcommands = {MapperTrainCommand.class, MapperApplyCommand.class, MapperStripCommand.class})
public final class MapperCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: train, apply or strip");
    }

    /** --levels coarse,medium,fine as a set; unknown names are usage errors. */
    static Set<MapperLevel> levels(CommandLine cl, List<String> names) {
        Set<MapperLevel> out = EnumSet.noneOf(MapperLevel.class);
        for (String n : names) {
            try {
                out.add(MapperLevel.parse(n));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--levels: " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new CommandLine.ParameterException(cl, "--levels needs at least one of coarse, medium, fine");
        return out;
    }
}
