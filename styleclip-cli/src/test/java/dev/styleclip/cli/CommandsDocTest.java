package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/commands.md holds every command's {@code --help}, so that the documentation lists every option with its real
 * default. This test rebuilds it from the commands and fails when the file differs; run it with
 * {@code -Dstyleclip.writeDocs=true} to write the file instead.
 */
class CommandsDocTest {
    private static final Path DOC = Path.of("../docs/commands.md").toAbsolutePath().normalize();

    @Test
    void docsCommandsHoldsEveryCommandsHelp() throws Exception {
        String expected = render();
        if (Boolean.getBoolean("styleclip.writeDocs")) Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        assertEquals(expected, Files.readString(DOC, StandardCharsets.UTF_8),
                "docs/commands.md is out of date: mvn -pl styleclip-cli test -Dtest=CommandsDocTest -Dstyleclip.writeDocs=true");
    }

    private static String render() {
        StringBuilder b = new StringBuilder("""
                # Command reference

                Every command's `--help`, as the tool prints it (a test keeps this page equal to it). Exit codes, outputs
                and what an interrupted command keeps: [formats.md](formats.md#outputs-failures-and-interruptions).
                """);
        for (List<String> path : commands()) {
            CliRun r = CliRun.of(concat(path, "--help"));
            b.append("\n## `styleclip ").append(String.join(" ", path)).append("`\n\n```\n").append(r.out().stripTrailing()).append("\n```\n");
        }
        return b.toString();
    }

    /** Every leaf command, depth first, in the order the help lists them. */
    private static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(new CommandLine(new Main()), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            if (e.getValue().getSubcommands().isEmpty()) out.add(p);
            else walk(e.getValue(), p, out);
        }
    }

    private static String[] concat(List<String> path, String last) {
        List<String> all = new ArrayList<>(path);
        all.add(last);
        return all.toArray(String[]::new);
    }
}
