package dev.styleclip.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line in-process and captures its exit code and output. */
record CliRun(int code, String out, String err) {
    static final Path FIXTURES = Path.of("../styleclip-core/src/test/resources/fixtures").toAbsolutePath().normalize();

    static Path fixture(String relative) {
        return FIXTURES.resolve(relative);
    }

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
