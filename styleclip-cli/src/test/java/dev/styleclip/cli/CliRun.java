package dev.styleclip.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line in-process and captures its exit code and output. */
record CliRun(int code, String out, String err) {
    static final Path FIXTURES = Path.of("../styleclip-core/src/test/resources/fixtures").toAbsolutePath().normalize();

    static Path fixture(String relative) {
        Path p = FIXTURES.resolve(relative);
        Path gz = FIXTURES.resolve(relative + ".gz");
        if (!java.nio.file.Files.exists(p) && java.nio.file.Files.exists(gz)) {
            return gunzipped(gz, Path.of("target", "unpacked-fixtures", relative).toAbsolutePath());
        }
        return p;
    }

    /** Fixtures over 20 MiB are committed gzipped; tests get the original bytes, unpacked once under target/. */
    private static synchronized Path gunzipped(Path gz, Path target) {
        try {
            if (!java.nio.file.Files.exists(target)) {
                java.nio.file.Files.createDirectories(target.getParent());
                Path tmp = java.nio.file.Files.createTempFile(target.getParent(), ".unpack", ".part");
                try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(gz))) {
                    java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                java.nio.file.Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
