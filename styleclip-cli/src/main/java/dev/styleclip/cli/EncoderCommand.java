package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip encoder ...}: the encoder that inverts a generator's images in one forward pass. */
@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = {"Train the encoder that turns an image into its W+ code in one forward pass (e4e's network).",
                "An encoder belongs to one generator: it learns from that generator's own images and inverts images into that "
                        + "generator's W+."},
        subcommands = {EncoderTrainCommand.class})
public final class EncoderCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: train");
    }
}
