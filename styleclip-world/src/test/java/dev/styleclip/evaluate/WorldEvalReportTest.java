package dev.styleclip.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.edit.optimize.LooseRetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world eval's files from rows made up here: the table line, both CSV files and the lines under the table. */
class WorldEvalReportTest {
    @TempDir
    Path dir;

    private static WorldEval.Row row(String prompt, String method, WorldEval.SeedScore... seeds) {
        Map<String, Double> changed = new LinkedHashMap<>();
        changed.put("hair_color", 0.5);
        changed.put("background", 0.0);
        double success = Arrays.stream(seeds).filter(WorldEval.SeedScore::success).count() / (double) seeds.length;
        double preservation = Arrays.stream(seeds).mapToDouble(WorldEval.SeedScore::preservation).average().orElseThrow();
        double before = Arrays.stream(seeds).mapToDouble(WorldEval.SeedScore::clipBefore).average().orElseThrow();
        double after = Arrays.stream(seeds).mapToDouble(WorldEval.SeedScore::clipAfter).average().orElseThrow();
        return new WorldEval.Row(prompt, method, seeds.length, success, preservation, 0.8, before, after, changed, List.of(seeds));
    }

    private static List<String[]> csv(String text, String header) {
        List<String> lines = text.lines().toList();
        assertEquals(header, lines.get(0));
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    @Test
    void rowsMakeTheTableBothCsvFilesAndTheLinesUnderTheTable() throws Exception {
        WorldEvalReport report = new WorldEvalReport(List.of("first line", "second line"), new LooseRetry(0.1, 0.0035));
        WorldEval.Row opt = row("sunglasses", "optimize", new WorldEval.SeedScore(true, 1.0, 0.20, 0.30),
                new WorldEval.SeedScore(false, 0.5, 0.22, 0.24));
        WorldEval.Row global = row("sunglasses", "global", new WorldEval.SeedScore(true, 0.75, 0.20, 0.28),
                new WorldEval.SeedScore(true, 1.0, 0.22, 0.26));
        String line = report.add(opt, List.of(3, 7), true, OptionalInt.of(1));
        assertEquals("| sunglasses | optimize | 2 | 50% | 75.0% | 80.0% | 0.210 | 0.270 |", line);
        assertEquals("| sunglasses | global | 2 | 100% (target not read) | 87.5% | 80.0% | 0.210 | 0.270 |",
                report.add(global, List.of(3, 7), false, OptionalInt.empty()));

        List<String[]> table = csv(report.tableCsv(), WorldEvalReport.TABLE_CSV_HEADER);
        assertEquals(2, table.size());
        assertEquals("\"sunglasses\"", table.get(0)[0]);
        assertEquals("optimize", table.get(0)[1]);
        assertEquals(2, Integer.parseInt(table.get(0)[2]));
        assertEquals(0.5, Double.parseDouble(table.get(0)[3]));
        assertEquals(0.875, Double.parseDouble(table.get(1)[4]));
        assertEquals(0.27, Double.parseDouble(table.get(1)[7]), 1e-12);

        List<String[]> seeds = csv(report.seedsCsv(), WorldEvalReport.SEEDS_CSV_HEADER);
        assertEquals(4, seeds.size());
        assertEquals(List.of(3, 7, 3, 7), seeds.stream().map(s -> Integer.parseInt(s[2])).toList());
        assertEquals(List.of(1, 0, 1, 1), seeds.stream().map(s -> Integer.parseInt(s[3])).toList());
        assertEquals(0.24, Double.parseDouble(seeds.get(1)[6]), 1e-12);

        String md = report.markdown();
        assertTrue(md.startsWith("first line\n\nsecond line\n\n| prompt | method | seeds |"), md);
        assertTrue(md.contains(line + "\n"), md);
        assertTrue(md.contains("- optimize: 1 prompt, 2 edits: success 50.0%, preservation 75.0%; 0 of 1 reach 80% and 90%"), md);
        assertTrue(md.contains("with L1 weight 0.0035 (CLIP's cosine to the prompt rose by less than 0.1 in the first): sunglasses 1 of 2\n"), md);
        assertTrue(md.endsWith("- sunglasses, optimize: hair_color 50%\n- sunglasses, global: hair_color 50%\n"), md);
        assertEquals(List.of(opt, global), report.rows());

        report.write(dir);
        assertEquals(md, Files.readString(dir.resolve(WorldEvalReport.TABLE_MD)));
        assertEquals(report.tableCsv(), Files.readString(dir.resolve(WorldEvalReport.TABLE_CSV)));
        assertEquals(report.seedsCsv(), Files.readString(dir.resolve(WorldEvalReport.SEEDS_CSV)));
    }

    @Test
    void withoutARetryThereIsNoRetriedLine() {
        WorldEvalReport report = new WorldEvalReport(List.of("only line"), LooseRetry.NONE);
        report.add(row("bald", "optimize", new WorldEval.SeedScore(true, 1, 0.2, 0.3)), List.of(0), true, OptionalInt.empty());
        assertFalse(report.markdown().contains("second time"), report.markdown());
    }
}
