package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.styleclip.check.SettingException;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MapperInference}: the files of one application, in order, and what is refused before or rolled back after. */
class MapperInferenceTest {
    static final Path CKPT = Fixtures.path("mapper/levels_mapper_seed2.pt");

    @TempDir
    Path dir;

    @Test
    void writesTheImagesOfEachLatentThenTheEditedLatents() throws Exception {
        Path out = dir.resolve("out");
        List<Path> reported = new ArrayList<>();
        var s = new MapperInference.Settings(CKPT, null, null, new MapperInference.Seeds(List.of(3L, 4L, 5L)), 0.7, 2, out);
        List<Path> files = MapperInference.run(s, reported::add);
        List<Path> expected = new ArrayList<>();
        for (String seed : List.of("seed3", "seed4", "seed5")) {
            expected.add(out.resolve("edited_" + seed + ".png"));
            expected.add(out.resolve("strip_" + seed + ".png"));
        }
        expected.add(out.resolve("w_hat.npy"));
        expected.add(out.resolve("w_hat.pt"));
        assertEquals(expected, files);
        assertEquals(expected, reported);
        for (Path f : files) assertFalse(Files.size(f) == 0, f.toString());
        assertArrayEquals(new long[] {3, 10, 512}, Npy.read(out.resolve("w_hat.npy")).shape(), "three batches' rows, in order");
    }

    @Test
    void aLevelTheCheckpointLacksIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path coarseOnly = dir.resolve("coarse.pt");
        try (LevelsMapper m = LevelsMapper.initialize(EnumSet.of(MapperLevel.COARSE), 1, 512)) {
            MapperCheckpoint.writeWithoutDecoder(coarseOnly, m, Map.of("description", "x"));
        }
        Path out = dir.resolve("out");
        var s = new MapperInference.Settings(coarseOnly, null, Set.of(MapperLevel.FINE), new MapperInference.Seeds(List.of(1L)), 0.7, 1, out);
        SettingException e = assertThrows(SettingException.class, () -> MapperInference.run(s, f -> { }));
        assertEquals("levels", e.setting());
        assertFalse(Files.exists(out));
    }

    @Test
    void aRunThatFailsLeavesNoneOfItsFiles() throws Exception {
        Path latents = dir.resolve("short.npy");
        Npy.write(latents, RawTensor.ofFloats(new float[2 * 3 * 512], 2, 3, 512)); // W+ with 3 rows: not this generator's
        Path out = dir.resolve("out");
        var s = new MapperInference.Settings(CKPT, null, null, new MapperInference.LatentFile(latents, LatentSpace.W_PLUS), 1, 1, out);
        assertThrows(RuntimeException.class, () -> MapperInference.run(s, f -> { }));
        assertFalse(Files.exists(out), "the folder the run created is gone with its files");
    }

    @Test
    void settingsAreCheckedWhenMade() {
        var seeds = new MapperInference.Seeds(List.of(1L));
        Path out = dir.resolve("out");
        assertEquals("batch-size", assertThrows(SettingException.class,
                () -> new MapperInference.Settings(CKPT, null, null, seeds, 0.7, 0, out)).setting());
        assertEquals("truncation", assertThrows(SettingException.class,
                () -> new MapperInference.Settings(CKPT, null, null, seeds, Double.NaN, 1, out)).setting());
        assertEquals("truncation", assertThrows(SettingException.class,
                () -> new MapperInference.Settings(CKPT, null, null, seeds, 0, 1, out)).setting());
        assertEquals("levels", assertThrows(SettingException.class,
                () -> new MapperInference.Settings(CKPT, null, Set.of(), seeds, 0.7, 1, out)).setting());
        assertEquals("seed", assertThrows(SettingException.class, () -> new MapperInference.Seeds(List.of())).setting());
    }
}
