package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.world.WorldAttributes.Background;
import dev.styleclip.world.WorldAttributes.CatCoat;
import dev.styleclip.world.WorldAttributes.EyeColor;
import dev.styleclip.world.WorldAttributes.Species;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorldSamplerTest {
    @Test
    void proportionsOverTwoThousandSeeds() {
        int n = 2000;
        int[] species = new int[3];
        int humans = 0;
        int[][] perCategory = new int[AttributeCategory.ALL.size()][];
        for (int c = 0; c < perCategory.length; c++) perCategory[c] = new int[AttributeCategory.ALL.get(c).numClasses()];
        for (long seed = 0; seed < n; seed++) {
            WorldAttributes a = WorldSampler.sample(seed).attributes();
            species[a.species().ordinal()]++;
            if (a.isHuman()) humans++;
            for (int c = 0; c < perCategory.length; c++) {
                int i = AttributeCategory.ALL.get(c).index(a);
                if (i >= 0) perCategory[c][i]++;
            }
        }
        assertEquals(0.70, species[0] / (double) n, 0.035);
        assertEquals(0.18, species[1] / (double) n, 0.025);
        assertEquals(0.12, species[2] / (double) n, 0.025);
        // uniform categories: every class within 35% of its share
        for (AttributeCategory c : List.of(AttributeCategory.BACKGROUND, AttributeCategory.HAIR_STYLE, AttributeCategory.HAIR_COLOR,
                AttributeCategory.SKIN_TONE, AttributeCategory.EYEWEAR, AttributeCategory.EXPRESSION, AttributeCategory.PRESENTATION)) {
            int[] counts = perCategory[AttributeCategory.ALL.indexOf(c)];
            int total = java.util.Arrays.stream(counts).sum();
            for (int k = 0; k < counts.length; k++) {
                double share = counts[k] / (double) total;
                assertEquals(1.0 / counts.length, share, 0.35 / counts.length, c.name() + " " + c.classNames().get(k));
            }
        }
        assertEquals(humans, java.util.Arrays.stream(perCategory[AttributeCategory.ALL.indexOf(AttributeCategory.HAIR_STYLE)]).sum());
    }

    @Test
    void samplesAreDeterministicAndVaried() {
        assertEquals(WorldSampler.sample(42), WorldSampler.sample(42));
        assertNotEquals(WorldSampler.sample(42).nuisance(), WorldSampler.sample(43).nuisance());
        for (long seed = 0; seed < 300; seed++) {
            Nuisance n = WorldSampler.sample(seed).nuisance();
            assertTrue(Math.abs(n.offsetX()) <= 0.03 && Math.abs(n.offsetY()) <= 0.03);
            assertTrue(n.faceWidth() >= 0.92 && n.faceWidth() <= 1.08);
            assertTrue(n.hairLength() >= 0.85 && n.hairLength() <= 1.15);
            WorldAttributes a = WorldSampler.sample(seed).attributes();
            if (a.isHuman() && a.presentation() == WorldAttributes.Presentation.WOMAN) {
                assertEquals(WorldAttributes.FacialHair.NONE, a.facialHair());
            }
        }
    }

    @Test
    void categoriesIndexEveryPortrait() {
        assertEquals(13, AttributeCategory.ALL.size());
        assertEquals(List.of("human", "cat", "lion"), AttributeCategory.SPECIES.classNames());
        assertEquals(6, AttributeCategory.HAIR_STYLE.numClasses());
        assertEquals("mohawk", AttributeCategory.HAIR_STYLE.classNames().get(3));
        WorldAttributes cat = WorldAttributes.cat(Background.PINK, CatCoat.TABBY, EyeColor.GREEN);
        assertEquals(Species.CAT.ordinal(), AttributeCategory.SPECIES.index(cat));
        assertEquals(Background.PINK.ordinal(), AttributeCategory.BACKGROUND.index(cat));
        assertEquals(AttributeCategory.NOT_APPLICABLE, AttributeCategory.HAIR_STYLE.index(cat));
        assertEquals(AttributeCategory.NOT_APPLICABLE, AttributeCategory.LION_MANE.index(cat));
        assertEquals(CatCoat.TABBY.ordinal(), AttributeCategory.CAT_COAT.index(cat));
        assertEquals("green", AttributeCategory.EYE_COLOR.className(cat));
        assertNull(AttributeCategory.MAKEUP.className(cat));
        assertEquals(AttributeCategory.EYEWEAR, AttributeCategory.byName("eyewear"));
        assertThrows(IllegalArgumentException.class, () -> AttributeCategory.byName("hat"));
        // species and background apply to every portrait; each other category to some
        for (long seed = 0; seed < 200; seed++) {
            WorldAttributes a = WorldSampler.sample(seed).attributes();
            assertTrue(AttributeCategory.SPECIES.index(a) >= 0 && AttributeCategory.BACKGROUND.index(a) >= 0);
            for (AttributeCategory c : AttributeCategory.ALL) assertTrue(c.index(a) < c.numClasses());
        }
    }

    @Test
    void attributesRefuseFieldsOfOtherSpecies() {
        assertThrows(IllegalArgumentException.class, () -> new WorldAttributes(Species.CAT, Background.BLUE,
                WorldAttributes.HairStyle.BALD, null, null, EyeColor.BLUE, null, null, null, null, null, CatCoat.BLACK, null));
        assertThrows(IllegalArgumentException.class, () -> new WorldAttributes(Species.LION, Background.BLUE,
                null, null, null, null, null, null, null, null, null, null, null));
        assertThrows(NullPointerException.class, () -> WorldAttributes.lion(null, WorldAttributes.Mane.FULL));
    }
}
