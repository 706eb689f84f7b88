package dev.styleclip.world;

import java.awt.Color;

/** The colours of the world's attributes (before nuisance jitter). */
public final class Palette {
    private Palette() {
    }

    public static Color background(WorldAttributes.Background b) {
        return switch (b) {
            case BLUE -> new Color(140, 185, 235);
            case GREEN -> new Color(150, 210, 150);
            case PINK -> new Color(245, 175, 200);
            case YELLOW -> new Color(245, 225, 120);
            case GREY -> new Color(175, 175, 178);
            case ORANGE -> new Color(245, 170, 100);
        };
    }

    public static Color skin(WorldAttributes.SkinTone s) {
        return switch (s) {
            case LIGHT -> new Color(250, 222, 200);
            case MEDIUM -> new Color(228, 180, 140);
            case TAN -> new Color(190, 135, 95);
            case DARK -> new Color(115, 75, 50);
        };
    }

    public static Color hair(WorldAttributes.HairColor h) {
        return switch (h) {
            case BLACK -> new Color(30, 26, 26);
            case BROWN -> new Color(115, 65, 30);
            case BLOND -> new Color(245, 210, 100);
            case RED -> new Color(205, 60, 25);
            case WHITE -> new Color(242, 242, 238);
            case PURPLE -> new Color(150, 45, 205);
            case BLUE -> new Color(35, 75, 225);
        };
    }

    public static Color eyes(WorldAttributes.EyeColor e) {
        return switch (e) {
            case BROWN -> new Color(105, 60, 25);
            case BLUE -> new Color(45, 125, 235);
            case GREEN -> new Color(40, 165, 70);
        };
    }

    /** Cat eyes: brown reads as amber, the others as for humans but brighter. */
    public static Color catEyes(WorldAttributes.EyeColor e) {
        return switch (e) {
            case BROWN -> new Color(190, 120, 30);
            case BLUE -> new Color(70, 150, 245);
            case GREEN -> new Color(90, 200, 70);
        };
    }

    public static Color coat(WorldAttributes.CatCoat c) {
        return switch (c) {
            case ORANGE -> new Color(240, 145, 50);
            case BLACK -> new Color(38, 36, 40);
            case WHITE -> new Color(246, 246, 242);
            case GREY -> new Color(135, 138, 148);
            case TABBY -> new Color(170, 135, 95);
            case CALICO -> new Color(248, 245, 238);
        };
    }
}
