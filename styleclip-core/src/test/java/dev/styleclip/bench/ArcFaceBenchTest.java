package dev.styleclip.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.io.CheckpointException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's two lines, on a tiny configuration (the full-size run is for the CLI). */
class ArcFaceBenchTest {
    @Test
    void printsForwardAndBackwardLines() throws CheckpointException {
        List<IrSeConfig.Unit> units = List.of(new IrSeConfig.Unit(16, 16, 2), new IrSeConfig.Unit(16, 32, 2),
                new IrSeConfig.Unit(32, 32, 1), new IrSeConfig.Unit(32, 48, 2), new IrSeConfig.Unit(48, 64, 2));
        StringWriter s = new StringWriter();
        ArcFaceBench.run(new IrSeConfig(16, units, 32), 0, 2, new PrintWriter(s));
        String[] lines = s.toString().strip().split("\n");
        assertEquals(2, lines.length, s.toString());
        assertTrue(lines[0].matches("arcface pass=forward median_ms=[0-9.]+ p25_ms=[0-9.]+ repeats=2"), lines[0]);
        assertTrue(lines[1].matches("arcface pass=forward\\+backward median_ms=[0-9.]+ p25_ms=[0-9.]+ repeats=2"), lines[1]);
    }
}
