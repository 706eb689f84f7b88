package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip clip ...}: CLIP's tokenizer and encoders on their own. */
@Command(name = "clip", mixinStandardHelpOptions = true,
        description = "CLIP on its own: tokenize text, embed text or images, score an image against text.",
        subcommands = {ClipTokenizeCommand.class, ClipEmbedCommand.class, ClipScoreCommand.class})
public final class ClipCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: tokenize, embed or score");
    }
}
