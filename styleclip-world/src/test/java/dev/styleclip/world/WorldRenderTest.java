package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.check.SettingException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** world render's folder: a repeated seed is drawn once, the files of each seed, the sheet last, and the checks of its settings. */
class WorldRenderTest {
    @TempDir
    Path dir;

    @Test
    void writesEachSeedOnceThenTheSheet() throws Exception {
        List<Path> written = new ArrayList<>();
        Path sheet = WorldRender.write(new WorldRender.Settings(List.of(4L, 2L, 4L), 24, 3, 1), dir.resolve("out"), written::add);
        Path out = dir.resolve("out");
        assertEquals(List.of(out.resolve("seed_4.png"), out.resolve("seed_2.png"), out.resolve("sheet.png")), written);
        assertEquals(out.resolve("sheet.png"), sheet);
        BufferedImage grid = ImageIO.read(sheet.toFile());
        assertEquals(24, grid.getWidth(), "one column");
        assertEquals(2 * 24, grid.getHeight());
        assertEquals(3, Files.readAllLines(out.resolve("seed_2_captions.txt")).size());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("seed_2_attributes.json"))).getAsJsonObject();
        assertEquals(2, json.get("seed").getAsLong());
        assertEquals(AttributeCategory.SPECIES.className(WorldSampler.sample(2).attributes()),
                json.getAsJsonObject("attributes").get("species").getAsString());
    }

    @Test
    void badSettingsNameTheirOption() {
        assertEquals("size", assertThrows(SettingException.class, () -> new WorldRender.Settings(List.of(1L), 0, 1, null)).setting());
        assertEquals("size", assertThrows(SettingException.class,
                () -> new WorldRender.Settings(List.of(1L), WorldRender.MAX_SIZE + 1, 1, null)).setting());
        assertEquals("captions", assertThrows(SettingException.class, () -> new WorldRender.Settings(List.of(1L), 8, -1, null)).setting());
        assertEquals("columns", assertThrows(SettingException.class, () -> new WorldRender.Settings(List.of(1L), 8, 1, 0)).setting());
        assertEquals("seed", assertThrows(SettingException.class, () -> new WorldRender.Settings(List.of(), 8, 1, null)).setting());
        assertTrue(new WorldRender.Settings(List.of(1L), 8, 0, null).columns() == null);
    }
}
