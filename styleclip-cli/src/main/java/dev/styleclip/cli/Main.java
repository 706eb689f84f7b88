package dev.styleclip.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code styleclip} command. Exit codes: 0 success, 2 bad usage, 1 failure with a one-line reason
 * (a stack trace only with {@code --verbose}).
 */
@Command(name = "styleclip", mixinStandardHelpOptions = true, version = "styleclip 0.1.0",
        description = "Edit StyleGAN2 images with text (StyleCLIP), on the JVM.",
        subcommands = {EditCommand.class, InspectCommand.class, GenerateCommand.class, ClipCommand.class, OptimizeCommand.class, GlobalCommand.class, MapperCommand.class, WorldCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                return commandLine.getParameterExceptionHandler().handleParseException(pe, parseResult.originalArgs().toArray(new String[0]));
            }
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            if (verbose) e.printStackTrace(commandLine.getErr());
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            commandLine.getErr().println("error: " + msg.lines().findFirst().orElse(msg));
            commandLine.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }
}
