package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code styleclip world ...}: the procedural portrait world the bundled models learn from. */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "The procedural portrait world (humans, cats, lions drawn in Java2D) that the bundled models are trained on.",
        subcommands = {WorldRenderCommand.class, WorldTrainCommand.class, WorldTrainGeneratorCommand.class, WorldTrainGanCommand.class, WorldEvalCommand.class,
                WorldInvertEvalCommand.class})
public final class WorldCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required: render, train, train-generator, train-gan, eval, invert-eval");
    }
}
