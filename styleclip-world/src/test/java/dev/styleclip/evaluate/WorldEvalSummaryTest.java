package dev.styleclip.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-method lines under world eval's table: every edit counts once, whatever its prompt. */
class WorldEvalSummaryTest {
    private static WorldEval.Row row(String prompt, String method, int seeds, double success, double preservation) {
        return new WorldEval.Row(prompt, method, seeds, success, preservation, preservation, 0, 0, Map.of());
    }

    @Test
    void successAndPreservationAreOverAllEditsAndPromptsMeetingBothAreCounted() {
        List<WorldEval.Summary> s = WorldEval.Summary.of(List.of(
                row("lion", "optimize", 50, 0.96, 0.95),
                row("lion", "global", 50, 0.0, 0.88),
                row("without makeup", "optimize", 50, 0.16, 0.98),
                row("bald", "optimize", 10, 0.80, 0.90)));
        assertEquals(List.of("optimize", "global"), s.stream().map(WorldEval.Summary::method).toList(), "methods in order of appearance");
        WorldEval.Summary opt = s.get(0);
        assertEquals(3, opt.prompts());
        assertEquals(110, opt.edits());
        assertEquals((48 + 8 + 8) / 110.0, opt.success(), 1e-12);
        assertEquals((50 * 0.95 + 50 * 0.98 + 10 * 0.90) / 110, opt.preservation(), 1e-12);
        assertEquals(2, opt.promptsMeetingBoth(), "lion, and bald exactly at both figures");
        assertEquals(0, s.get(1).promptsMeetingBoth());
        assertTrue(opt.line().startsWith("optimize: 3 prompts, 110 edits: success 58.2%, preservation 95.9%; 2 of 3 reach 80% and 90%"),
                opt.line());
        assertTrue(WorldEval.Summary.of(List.of()).isEmpty());
    }
}
