package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.world.WorldAttributes.Background;
import dev.styleclip.world.WorldAttributes.CatCoat;
import dev.styleclip.world.WorldAttributes.EyeColor;
import dev.styleclip.world.WorldAttributes.Expression;
import dev.styleclip.world.WorldAttributes.Eyewear;
import dev.styleclip.world.WorldAttributes.FacialHair;
import dev.styleclip.world.WorldAttributes.HairColor;
import dev.styleclip.world.WorldAttributes.HairStyle;
import dev.styleclip.world.WorldAttributes.Makeup;
import dev.styleclip.world.WorldAttributes.Mane;
import dev.styleclip.world.WorldAttributes.Presentation;
import dev.styleclip.world.WorldAttributes.SkinTone;
import dev.styleclip.world.WorldAttributes.Species;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WorldRendererTest {
    static final WorldAttributes BASE = WorldAttributes.human(Background.BLUE, HairStyle.SHORT, HairColor.BROWN, SkinTone.MEDIUM,
            EyeColor.BLUE, Expression.NEUTRAL, Eyewear.NONE, FacialHair.NONE, Makeup.NONE, Presentation.MAN);

    static BufferedImage render(WorldAttributes a) {
        return PortraitRenderer.render(a, Nuisance.NONE, 64);
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Mean luminance (0..255) over the box [x0, x1) x [y0, y1) given in the unit square. */
    static double luminance(BufferedImage img, double x0, double y0, double x1, double y1) {
        double sum = 0;
        int n = 0;
        for (int y = (int) (y0 * img.getHeight()); y < (int) (y1 * img.getHeight()); y++) {
            for (int x = (int) (x0 * img.getWidth()); x < (int) (x1 * img.getWidth()); x++) {
                Color c = new Color(img.getRGB(x, y));
                sum += 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
                n++;
            }
        }
        return sum / n;
    }

    /** Pixels of the box for which {@code test} holds. */
    static int count(BufferedImage img, double x0, double y0, double x1, double y1, java.util.function.Predicate<Color> test) {
        int n = 0;
        for (int y = (int) (y0 * img.getHeight()); y < (int) (y1 * img.getHeight()); y++) {
            for (int x = (int) (x0 * img.getWidth()); x < (int) (x1 * img.getWidth()); x++) {
                if (test.test(new Color(img.getRGB(x, y)))) n++;
            }
        }
        return n;
    }

    static boolean near(Color a, Color b, int tol) {
        return Math.abs(a.getRed() - b.getRed()) <= tol && Math.abs(a.getGreen() - b.getGreen()) <= tol && Math.abs(a.getBlue() - b.getBlue()) <= tol;
    }

    @Test
    void sameSampleGivesTheSamePixels() {
        for (long seed : new long[] {0, 1, 17, 123456789L}) {
            WorldSample s = WorldSampler.sample(seed);
            assertEquals(s, WorldSampler.sample(seed));
            assertArrayEquals(pixels(PortraitRenderer.render(s, 64)), pixels(PortraitRenderer.render(WorldSampler.sample(seed), 64)));
            assertArrayEquals(pixels(PortraitRenderer.render(s, 128)), pixels(PortraitRenderer.render(s, 128)));
        }
        assertFalse(java.util.Arrays.equals(pixels(PortraitRenderer.render(WorldSampler.sample(1))), pixels(PortraitRenderer.render(WorldSampler.sample(2)))));
    }

    @Test
    void sizesShowTheSamePicture() {
        WorldSample s = WorldSampler.sample(3);
        BufferedImage small = PortraitRenderer.render(s, 64);
        BufferedImage big = PortraitRenderer.render(s, 256);
        assertEquals(256, big.getWidth());
        // the 256-px portrait averaged down 4x4 is close to the 64-px one
        double diff = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                Color c = new Color(small.getRGB(x, y));
                double r = 0;
                for (int dy = 0; dy < 4; dy++) for (int dx = 0; dx < 4; dx++) r += new Color(big.getRGB(4 * x + dx, 4 * y + dy)).getRed();
                diff += Math.abs(r / 16 - c.getRed());
            }
        }
        assertTrue(diff / (64 * 64) < 8, "mean red difference " + diff / (64 * 64));
    }

    @Test
    void backgroundFillsTheCorners() {
        for (Background b : Background.values()) {
            BufferedImage img = render(BASE.withBackground(b));
            Color want = Palette.background(b);
            for (int[] c : new int[][] {{0, 0}, {63, 0}, {0, 40}, {63, 40}, {2, 2}, {61, 2}}) {
                assertEquals(want.getRGB(), img.getRGB(c[0], c[1]), b + " at " + c[0] + "," + c[1]);
            }
        }
        // with nuisance, the corners stay within the jitter of the background colour
        for (long seed = 0; seed < 50; seed++) {
            WorldSample s = WorldSampler.sample(seed);
            Color got = new Color(PortraitRenderer.render(s).getRGB(0, 0));
            assertTrue(near(got, Palette.background(s.attributes().background()), 14), "seed " + seed + ": " + got);
        }
    }

    @Test
    void sunglassesDarkenTheEyes() {
        double plain = luminance(render(BASE), 0.36, 0.42, 0.64, 0.49);
        double glasses = luminance(render(BASE.withEyewear(Eyewear.GLASSES)), 0.36, 0.42, 0.64, 0.49);
        double sun = luminance(render(BASE.withEyewear(Eyewear.SUNGLASSES)), 0.36, 0.42, 0.64, 0.49);
        assertTrue(sun < 0.4 * plain, "sunglasses " + sun + " vs none " + plain);
        assertTrue(glasses < plain && glasses > sun + 30, "glasses " + glasses + ", none " + plain + ", sunglasses " + sun);
    }

    @Test
    void purpleHairMakesPurplePixels() {
        java.util.function.Predicate<Color> purple = c -> c.getRed() > 100 && c.getBlue() > 150 && c.getGreen() < 90;
        for (HairStyle s : HairStyle.values()) {
            int p = count(render(BASE.withHair(s, HairColor.PURPLE)), 0, 0, 1, 1, purple);
            int b = count(render(BASE.withHair(s, HairColor.BROWN)), 0, 0, 1, 1, purple);
            assertEquals(0, b, s.toString());
            if (s == HairStyle.BALD) continue;
            assertTrue(p > 60, s + ": " + p + " purple pixels");
        }
    }

    @Test
    void hairStylesHaveTheirSilhouettes() {
        java.util.function.Predicate<Color> hair = c -> near(c, Palette.hair(HairColor.RED), 30);
        Function<HairStyle, BufferedImage> r = s -> render(BASE.withHair(s, HairColor.RED));
        // a mohawk rises high above the head, alone in the middle
        assertTrue(count(r.apply(HairStyle.MOHAWK), 0.47, 0.08, 0.53, 0.16, hair) >= 8);
        assertEquals(0, count(r.apply(HairStyle.MOHAWK), 0.2, 0.3, 0.35, 0.5, hair));
        assertEquals(0, count(r.apply(HairStyle.BALD), 0, 0, 1, 1, hair));
        for (HairStyle s : List.of(HairStyle.SHORT, HairStyle.BOB_CUT, HairStyle.CURLY, HairStyle.LONG)) {
            assertTrue(count(r.apply(s), 0.4, 0.2, 0.6, 0.26, hair) > 10, s + " covers the top of the head");
        }
        // long hair falls past the shoulders, a bob stops at the chin, short hair above the ears
        int longLow = count(r.apply(HairStyle.LONG), 0.2, 0.8, 0.8, 0.95, hair);
        int bobLow = count(r.apply(HairStyle.BOB_CUT), 0.2, 0.8, 0.8, 0.95, hair);
        int bobChin = count(r.apply(HairStyle.BOB_CUT), 0.2, 0.6, 0.34, 0.7, hair);
        int shortChin = count(r.apply(HairStyle.SHORT), 0.2, 0.55, 0.34, 0.7, hair);
        assertTrue(longLow > 40 && bobLow == 0, "long " + longLow + ", bob " + bobLow);
        assertTrue(bobChin > 10 && shortChin == 0, "bob " + bobChin + ", short " + shortChin);
    }

    @Test
    void expressionsAndFacialHairChangeTheMouthRegion() {
        java.util.function.Predicate<Color> teeth = c -> c.getRed() > 215 && c.getGreen() > 215 && c.getBlue() > 215;
        double[] mouth = {0.4, 0.58, 0.6, 0.72};
        assertTrue(count(render(BASE.withExpression(Expression.SMILING)), mouth[0], mouth[1], mouth[2], mouth[3], teeth) > 2);
        assertEquals(0, count(render(BASE), mouth[0], mouth[1], mouth[2], mouth[3], teeth));
        double neutral = luminance(render(BASE), 0.45, 0.6, 0.55, 0.68);
        double surprised = luminance(render(BASE.withExpression(Expression.SURPRISED)), 0.45, 0.6, 0.55, 0.68);
        assertTrue(surprised < neutral - 25, "surprised " + surprised + " vs neutral " + neutral);
        java.util.function.Predicate<Color> beard = c -> near(c, Palette.hair(HairColor.BROWN), 25);
        int jaw = count(render(BASE.withFacialHair(FacialHair.BEARD)), 0.32, 0.62, 0.68, 0.74, beard);
        int moustacheJaw = count(render(BASE.withFacialHair(FacialHair.MOUSTACHE)), 0.32, 0.62, 0.68, 0.74, beard);
        int shavenJaw = count(render(BASE), 0.32, 0.62, 0.68, 0.74, beard);
        assertTrue(jaw > 100 && moustacheJaw < jaw / 3 && shavenJaw < jaw / 3, "beard " + jaw + ", moustache " + moustacheJaw + ", none " + shavenJaw);
        // a moustache sits between the nose and the mouth
        int moustache = count(render(BASE.withFacialHair(FacialHair.MOUSTACHE)), 0.4, 0.54, 0.6, 0.61, beard);
        int shaven = count(render(BASE), 0.4, 0.54, 0.6, 0.61, beard);
        assertTrue(moustache > 12 && shaven == 0, "moustache " + moustache + ", none " + shaven);
    }

    @Test
    void makeupPaintsTheLipsRed() {
        java.util.function.Predicate<Color> red = c -> c.getRed() > 180 && c.getGreen() < 60 && c.getBlue() < 80;
        WorldAttributes woman = BASE.withPresentation(Presentation.WOMAN);
        assertTrue(count(render(woman.withMakeup(Makeup.MAKEUP)), 0.4, 0.58, 0.6, 0.7, red) > 5);
        assertEquals(0, count(render(woman), 0.4, 0.58, 0.6, 0.7, red));
    }

    @Test
    void catsAndLionsShowTheirColours() {
        java.util.function.Predicate<Color> orange = c -> near(c, Palette.coat(CatCoat.ORANGE), 25);
        assertTrue(count(PortraitRenderer.render(WorldAttributes.cat(Background.BLUE, CatCoat.ORANGE, EyeColor.GREEN), Nuisance.NONE, 64),
                0.3, 0.3, 0.7, 0.7, orange) > 200);
        // the triangular ears reach above the head; a lion's mane widens the figure
        BufferedImage lionFull = PortraitRenderer.render(WorldAttributes.lion(Background.BLUE, Mane.FULL), Nuisance.NONE, 64);
        BufferedImage lionNone = PortraitRenderer.render(WorldAttributes.lion(Background.BLUE, Mane.NONE), Nuisance.NONE, 64);
        Color bg = Palette.background(Background.BLUE);
        java.util.function.Predicate<Color> notBg = c -> !near(c, bg, 4);
        assertTrue(count(lionFull, 0.1, 0.35, 0.22, 0.6, notBg) > 20);
        assertEquals(0, count(lionNone, 0.1, 0.35, 0.22, 0.6, notBg));
    }

    /** Every value of every category renders, and each value changes the picture. */
    @Test
    void everyValueRendersDifferently() {
        Map<Species, WorldAttributes> bases = new EnumMap<>(Species.class);
        bases.put(Species.HUMAN, BASE);
        bases.put(Species.CAT, WorldAttributes.cat(Background.BLUE, CatCoat.ORANGE, EyeColor.GREEN));
        bases.put(Species.LION, WorldAttributes.lion(Background.BLUE, Mane.FULL));
        List<List<WorldAttributes>> groups = new ArrayList<>();
        List<WorldAttributes> species = new ArrayList<>(bases.values());
        groups.add(species);
        List<WorldAttributes> g = new ArrayList<>();
        for (HairStyle v : HairStyle.values()) g.add(BASE.withHair(v, HairColor.BROWN));
        groups.add(g);
        g = new ArrayList<>();
        for (HairColor v : HairColor.values()) g.add(BASE.withHair(HairStyle.LONG, v));
        groups.add(g);
        g = new ArrayList<>();
        for (SkinTone v : SkinTone.values()) g.add(BASE.withSkinTone(v));
        groups.add(g);
        g = new ArrayList<>();
        for (EyeColor v : EyeColor.values()) g.add(BASE.withEyeColor(v));
        groups.add(g);
        g = new ArrayList<>();
        for (Expression v : Expression.values()) g.add(BASE.withExpression(v));
        groups.add(g);
        g = new ArrayList<>();
        for (Eyewear v : Eyewear.values()) g.add(BASE.withEyewear(v));
        groups.add(g);
        g = new ArrayList<>();
        for (FacialHair v : FacialHair.values()) g.add(BASE.withFacialHair(v));
        groups.add(g);
        g = new ArrayList<>();
        for (Makeup v : Makeup.values()) g.add(BASE.withMakeup(v));
        groups.add(g);
        g = new ArrayList<>();
        for (Presentation v : Presentation.values()) g.add(BASE.withPresentation(v));
        groups.add(g);
        g = new ArrayList<>();
        for (CatCoat v : CatCoat.values()) g.add(WorldAttributes.cat(Background.BLUE, v, EyeColor.GREEN));
        groups.add(g);
        g = new ArrayList<>();
        for (EyeColor v : EyeColor.values()) g.add(WorldAttributes.cat(Background.BLUE, CatCoat.GREY, v));
        groups.add(g);
        g = new ArrayList<>();
        for (Mane v : Mane.values()) g.add(WorldAttributes.lion(Background.BLUE, v));
        groups.add(g);
        for (Species sp : Species.values()) {
            g = new ArrayList<>();
            for (Background v : Background.values()) g.add(bases.get(sp).withBackground(v));
            groups.add(g);
        }
        for (List<WorldAttributes> group : groups) {
            List<int[]> imgs = group.stream().map(a -> pixels(render(a))).toList();
            for (int i = 0; i < imgs.size(); i++) {
                for (int j = i + 1; j < imgs.size(); j++) {
                    assertFalse(java.util.Arrays.equals(imgs.get(i), imgs.get(j)), group.get(i) + " and " + group.get(j) + " look the same");
                }
            }
        }
        // and at other sizes, from odd to large
        for (int size : new int[] {1, 17, 200}) assertEquals(size, PortraitRenderer.render(BASE, Nuisance.NONE, size).getWidth());
    }
}
