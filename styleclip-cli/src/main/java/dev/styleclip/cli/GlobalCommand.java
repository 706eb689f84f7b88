package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip global ...}: StyleCLIP's global directions in style space. */
@Command(name = "global", mixinStandardHelpOptions = true,
        description = "Global directions: prepare the per-channel CLIP relevance once, then edit any image with a prompt pair.",
        subcommands = {GlobalPrepareCommand.class, GlobalEditCommand.class})
public final class GlobalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: prepare or edit");
    }
}
