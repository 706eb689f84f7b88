package dev.styleclip.cli;

import dev.styleclip.check.SettingException;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import dev.styleclip.stop.StoppedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code styleclip} command. Exit codes: 0 success, 2 bad usage (a bad option value included), 1 a failure with a
 * one-line reason (a stack trace only with {@code --verbose}), 130 / 143 after SIGINT / SIGTERM: long work stops at its
 * next step boundary and keeps what its help promises for an interruption.
 */
@Command(name = "styleclip", mixinStandardHelpOptions = true, version = "styleclip 0.1.0",
        description = "Edit StyleGAN2 images with text (StyleCLIP), on the JVM.",
        subcommands = {EditCommand.class, InspectCommand.class, GenerateCommand.class, ClipCommand.class, OptimizeCommand.class,
                GlobalCommand.class, MapperCommand.class, InvertCommand.class, EncoderCommand.class, WorldCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit codes of the command line. */
    static final int OK = 0, FAILED = 1, USAGE = 2, SIGINT = 130, SIGTERM = 143;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required");
    }

    public static void main(String[] args) {
        Signals.install();
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(Signals.exitCode(code));
    }

    /** Runs the command line with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        setFooters(cl);
        // wide enough that file names such as before_after.png are not broken at their dot; a terminal that says its
        // width (picocli asks it) gets that width instead
        cl.setUsageHelpWidth(120);
        cl.setUsageHelpAutoWidth(true);
        cl.registerConverter(Double.class, Main::number);
        cl.registerConverter(double.class, Main::number);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            if (verbose) e.printStackTrace(commandLine.getErr());
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof CommandLine.ParameterException pe) return usage(pe.getCommandLine(), pe.getMessage());
            if (cause instanceof SettingException se) return usage(commandLine, se.withName("--" + se.setting()));
            if (cause instanceof StoppedException st) {
                commandLine.getErr().println("stopped (" + st.reason() + ")");
                commandLine.getErr().flush();
                return st.reason().equals("SIGTERM") ? SIGTERM : SIGINT;
            }
            String msg = cause instanceof IOException io ? OutputFiles.reason(io)
                    : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            commandLine.getErr().println("error: " + msg.lines().findFirst().orElse(msg));
            commandLine.getErr().flush();
            return FAILED;
        });
        cl.setParameterExceptionHandler((e, a) -> usage(e.getCommandLine(), e.getMessage()));
        return cl.execute(args);
    }

    /**
     * A number as Java reads it, also spelt {@code inf}, {@code -inf} or {@code nan} as C and Python write them, so that
     * such a value reaches the option's own check and its message ("--lr must be a finite number ...").
     */
    static Double number(String s) {
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan" -> Double.NaN;
            default -> Double.valueOf(s.strip());
        };
    }

    /** The one way a usage error is reported: the reason, and where help is. */
    private static int usage(CommandLine c, String message) {
        c.getErr().println("error: " + message);
        c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
        c.getErr().flush();
        return USAGE;
    }

    private static void setFooters(CommandLine cl) {
        if (cl.getCommand() instanceof HelpFooter f) cl.getCommandSpec().usageMessage().footer(f.helpFooter());
        for (CommandLine sub : cl.getSubcommands().values()) setFooters(sub);
    }

    /** SIGINT and SIGTERM ask long work to stop at its next step boundary (the JVM's default would exit under it). */
    static final class Signals {
        private Signals() {
        }

        static void install() {
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                        if (Stop.processRequest() == null) {
                            System.err.println();
                            System.err.println("styleclip: stopping after the current step (SIG" + s.getName() + ")");
                            System.err.flush();
                        }
                        Stop.requestAll("SIG" + s.getName());
                    });
                } catch (IllegalArgumentException e) {
                    // the signal is not available here (or ignored by the parent, e.g. nohup): leave the default
                }
            }
        }

        /** The exit code: 130 / 143 when a signal asked the run to stop, whatever the command returned. */
        static int exitCode(int code) {
            String r = Stop.processRequest();
            if (r == null) return code;
            return r.equals("SIGTERM") ? SIGTERM : SIGINT;
        }
    }
}
