package dev.styleclip.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.WorldAttributes;
import dev.styleclip.world.WorldDataset;
import dev.styleclip.world.WorldSample;
import org.junit.jupiter.api.Test;

class WorldEvalTwinsTest {
    @Test
    void aTwinShowsTheTargetAndKeepsEveryOtherAttribute() {
        WorldSample human = WorldDataset.samples(8000, 50).stream().filter(s -> s.attributes().isHuman()).findFirst().orElseThrow();
        WorldAttributes a = human.attributes();
        for (WorldEval.Target t : WorldEval.TARGETS) {
            WorldAttributes twin = WorldEval.withTarget(a, t);
            if (t.category().equals("species")) {
                assertNull(twin, t.prompt());
                continue;
            }
            for (AttributeCategory c : AttributeCategory.ALL) {
                if (c == t.attributeCategory()) assertEquals(t.classIndex(), c.index(twin), t.prompt());
                else assertEquals(c.index(a), c.index(twin), t.prompt() + " changed " + c.name());
            }
        }
    }
}
