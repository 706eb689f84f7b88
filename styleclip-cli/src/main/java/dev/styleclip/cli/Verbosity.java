package dev.styleclip.cli;

import picocli.CommandLine.Option;

/** Options shared by every sub-command. */
public final class Verbosity {
    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;
}
