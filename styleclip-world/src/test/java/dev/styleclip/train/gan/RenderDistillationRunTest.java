package dev.styleclip.train.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.check.SettingException;
import dev.styleclip.stop.Stop;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.world.AttributeCategory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world train-generator's run: its schedule of saves and samples, a stop at a step boundary, and the checks of its settings. */
class RenderDistillationRunTest {
    @TempDir
    Path dir;

    private static final RenderDistillation.Options TINY =
            new RenderDistillation.Options(new GeneratorConfig(16, 32, 2, GanOptions.parseChannels("4:32,8:32,16:32")), 2, 0.01, 0.0, 3);

    private RenderDistillationRun.Settings settings(long steps, long every, Path out) {
        return new RenderDistillationRun.Settings(TINY, RenderDistillationRun.Mode.PLAIN, steps, null, OptionalDouble.empty(), 0.002,
                RenderDistillationRun.MappingFinish.COMPILE, 0, 0.02, 0, List.of(), every, out);
    }

    /** A listener that keeps the steps and the notes. */
    private static final class Kept implements RenderDistillationRun.Listener {
        final List<Long> steps = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        @Override
        public void onStep(long step, long total, double l1, double averageL1, OptionalDouble mappingMse) {
            assertTrue(Double.isFinite(l1) && Double.isFinite(averageL1) && mappingMse.isEmpty());
            steps.add(step);
        }

        @Override
        public void onNote(String line) {
            notes.add(line);
        }
    }

    @Test
    void savesAndSamplesEveryKStepsAndAfterTheLast() throws Exception {
        Path out = dir.resolve("run");
        Kept kept = new Kept();
        assertEquals(RenderDistillationRun.Outcome.FINISHED, RenderDistillationRun.run(settings(3, 2, out), kept));
        assertEquals(List.of(0L, 1L, 2L), kept.steps);
        Pattern saved = Pattern.compile("step (\\d+): wrote (.+) \\(g_ema L1 on the sample latents (\\d+\\.\\d+)\\)");
        List<Integer> savedAt = new ArrayList<>();
        for (String note : kept.notes) {
            Matcher m = saved.matcher(note);
            assertTrue(m.matches(), note);
            savedAt.add(Integer.parseInt(m.group(1)));
            assertEquals(out.resolve(RenderDistillationRun.GENERATOR_FILE), Path.of(m.group(2)));
            assertTrue(Double.parseDouble(m.group(3)) > 0);
        }
        assertEquals(List.of(2, 3), savedAt);
        assertTrue(Files.exists(out.resolve("samples/000002.png")) && Files.exists(out.resolve("samples/000003.png")));
        try (Generator g = Generator.load(out.resolve(RenderDistillationRun.GENERATOR_FILE))) {
            assertEquals(16, g.config().size());
        }
    }

    @Test
    void aStopSavesTheGeneratorAtTheStepBoundary() throws Exception {
        Path out = dir.resolve("stopped");
        Kept kept = new Kept();
        Stop.requestAll("test");
        try {
            assertEquals(RenderDistillationRun.Outcome.STOPPED, RenderDistillationRun.run(settings(5, 100, out), kept));
        } finally {
            Stop.clearAll();
        }
        assertEquals(List.of(), kept.steps);
        assertEquals(List.of("stopped at step 0: wrote " + out.resolve(RenderDistillationRun.GENERATOR_FILE)), kept.notes);
        assertTrue(Files.exists(out.resolve(RenderDistillationRun.GENERATOR_FILE)));
    }

    @Test
    void badSettingsNameTheirOption() {
        Path out = dir.resolve("x");
        assertEquals("steps", assertThrows(SettingException.class, () -> settings(0, 1, out)).setting());
        assertEquals("every", assertThrows(SettingException.class, () -> settings(1, 0, out)).setting());
        SettingException oneHot = assertThrows(SettingException.class, () -> new RenderDistillationRun.Settings(TINY,
                RenderDistillationRun.Mode.PLAIN, 1, null, OptionalDouble.of(0.5), 0.002, RenderDistillationRun.MappingFinish.COMPILE, 0, 0.02,
                0, List.of(), 1, out));
        assertEquals("one-hot-codes needs --codes and --init", oneHot.getMessage());
        SettingException crossfade = assertThrows(SettingException.class, () -> new RenderDistillationRun.Settings(
                TINY.withInterpolation(new RenderDistillation.Interpolation(0.5, 1)), RenderDistillationRun.Mode.PLAIN, 1, null,
                OptionalDouble.empty(), 0.002, RenderDistillationRun.MappingFinish.COMPILE, 0, 0.02, 0, List.of(), 1, out));
        assertEquals("crossfade", crossfade.setting());
        SettingException mask = assertThrows(SettingException.class, () -> new RenderDistillationRun.Settings(TINY,
                RenderDistillationRun.Mode.PLAIN, 1, null, OptionalDouble.empty(), 0.002, RenderDistillationRun.MappingFinish.COMPILE, 0, 0.02,
                1, List.of(AttributeCategory.BACKGROUND), 1, out));
        assertTrue(mask.getMessage().contains("no detail mask for background"), mask.getMessage());
        var narrow = new RenderDistillation.Options(new GeneratorConfig(16, 8, 2, GanOptions.parseChannels("4:32,8:32,16:32")), 2, 0.01, 0.0, 3);
        assertEquals("style-dim", assertThrows(SettingException.class, () -> new RenderDistillationRun.Settings(narrow,
                RenderDistillationRun.Mode.PLAIN, 1, null, OptionalDouble.empty(), 0.002, RenderDistillationRun.MappingFinish.COMPILE, 0, 0.02,
                0, List.of(), 1, out)).setting());
        assertEquals("ema", assertThrows(SettingException.class,
                () -> new RenderDistillation.Options(TINY.config(), 2, 0.01, 1.0, 3)).setting());
    }
}
