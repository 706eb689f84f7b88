package dev.styleclip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of option values that several commands share; each fails as a usage error (exit code 2) naming the option. */
final class OptionChecks {
    private OptionChecks() {
    }

    /** Refuses a value that is not a finite number of 0 or more (NaN and infinities included). */
    static void finiteNonNegative(CommandSpec spec, String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new CommandLine.ParameterException(spec.commandLine(), option + " must be 0 or more");
    }
}
