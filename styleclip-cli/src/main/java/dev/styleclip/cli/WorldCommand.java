package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip world ...}: the project's own small procedural portrait world and the StyleGAN2 trained on it. */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "The project's own 64x64 portrait world and the small StyleGAN2 trained on it.",
        subcommands = {WorldTrainGanCommand.class})
public final class WorldCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: train-gan");
    }
}
