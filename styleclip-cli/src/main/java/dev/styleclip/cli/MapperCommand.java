package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip mapper ...}: StyleCLIP's latent mapper (method 2), trained per prompt, then applied. */
@Command(name = "mapper", mixinStandardHelpOptions = true,
        description = {"Train a latent mapper (StyleCLIP method 2) for one prompt, apply it to latents, or strip its decoder.",
                "The edit is w + 0.1 * M(w) on W+, with sub-mappers for coarse (rows 0-3), medium (4-7) and fine (8+) rows."},
        subcommands = {MapperTrainCommand.class, MapperApplyCommand.class, MapperStripCommand.class})
public final class MapperCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: train, apply or strip");
    }
}
