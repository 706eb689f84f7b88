package dev.styleclip.world;

import dev.styleclip.world.WorldAttributes.Expression;
import dev.styleclip.world.WorldAttributes.HairStyle;
import dev.styleclip.world.WorldAttributes.Presentation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;

/**
 * Draws a portrait of the world with Java2D: a pure function of (attributes, nuisance, size). Everything is
 * drawn in a unit square scaled to the image, antialiased, with explicit rendering hints and no text, so a
 * 64 px and a 256 px portrait show the same picture and the same input gives the same pixels.
 *
 * <p>Layout (unit square, y down): the head is a large centred oval (centre y 0.46, about 0.40 wide and 0.50
 * tall for humans), the shoulders fill the bottom edge and the background shows in every corner. Each
 * attribute is drawn big enough to read at 64 px: the hair shapes differ in silhouette (a mohawk is a tall
 * narrow strip on a bald head, a bob a chin-length block with a straight fringe, long hair falls past the
 * shoulders, curly hair is a ring of bumps), sunglasses are dark filled lenses and glasses thin rims, and so on.
 */
public final class PortraitRenderer {
    public static final int DEFAULT_SIZE = 64;

    private PortraitRenderer() {
    }

    public static BufferedImage render(WorldSample s) {
        return render(s.attributes(), s.nuisance(), DEFAULT_SIZE);
    }

    public static BufferedImage render(WorldSample s, int size) {
        return render(s.attributes(), s.nuisance(), size);
    }

    /** A {@code size} x {@code size} RGB portrait. */
    public static BufferedImage render(WorldAttributes a, Nuisance n, int size) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw(g, a, n, size);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Draws the portrait into {@code g} over the square (0, 0)-(size, size). */
    public static void draw(Graphics2D g, WorldAttributes a, Nuisance n, double size) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_ALPHA_INTERPOLATION, RenderingHints.VALUE_ALPHA_INTERPOLATION_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_DITHERING, RenderingHints.VALUE_DITHER_DISABLE);
        g.scale(size, size);
        g.setColor(jitter(Palette.background(a.background()), 0.05 * n.backgroundJitter()));
        g.fill(new java.awt.geom.Rectangle2D.Double(-0.1, -0.1, 1.2, 1.2));
        g.translate(n.offsetX(), n.offsetY());
        switch (a.species()) {
            case HUMAN -> new Human(g, a, n).draw();
            case CAT -> new Cat(g, a, n).draw();
            case LION -> new Lion(g, a, n).draw();
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    static Ellipse2D ellipse(double cx, double cy, double w, double h) {
        return new Ellipse2D.Double(cx - w / 2, cy - h / 2, w, h);
    }

    static Color jitter(Color c, double f) {
        return new Color(clamp(c.getRed() * (1 + f)), clamp(c.getGreen() * (1 + f)), clamp(c.getBlue() * (1 + f)));
    }

    static Color mix(Color a, Color b, double t) {
        return new Color(clamp(a.getRed() + (b.getRed() - a.getRed()) * t), clamp(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                clamp(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    static Color darker(Color c, double t) {
        return mix(c, Color.BLACK, t);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** The part of an ellipse above ({@code above}) or below a horizontal chord at {@code y}. */
    static Shape chordCap(double cx, double cy, double w, double h, double y, boolean above) {
        double s = Math.max(-1, Math.min(1, (cy - y) / (h / 2)));
        double t = Math.toDegrees(Math.asin(s));
        Arc2D.Double arc = new Arc2D.Double(cx - w / 2, cy - h / 2, w, h, 0, 0, Arc2D.CHORD);
        if (above) {
            arc.setAngleStart(t);
            arc.setAngleExtent(180 - 2 * t);
        } else {
            arc.setAngleStart(180 - t);
            arc.setAngleExtent(180 + 2 * t);
        }
        return arc;
    }

    /** Shared drawing state: the graphics and a few outline-then-fill helpers. */
    private abstract static class Figure {
        final Graphics2D g;
        final WorldAttributes a;
        final Nuisance n;

        Figure(Graphics2D g, WorldAttributes a, Nuisance n) {
            this.g = g;
            this.a = a;
            this.n = n;
        }

        void fill(Color c, Shape s) {
            g.setColor(c);
            g.fill(s);
        }

        void stroke(Color c, double width, Shape s) {
            g.setColor(c);
            g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(s);
        }

        /** Fills the union of {@code parts} with an outline around the union only (strokes first, then fills). */
        void outlined(Color fill, Color line, double width, Shape... parts) {
            g.setColor(line);
            g.setStroke(new BasicStroke((float) (2 * width), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (Shape p : parts) g.draw(p);
            g.setColor(fill);
            for (Shape p : parts) g.fill(p);
        }

        /** Shoulders (or a chest) filling the bottom edge. */
        void body(Color c, double width) {
            outlined(c, darker(c, 0.3), 0.006, ellipse(0.5, 1.07, width, 0.5));
        }

        abstract void draw();
    }

    // ---------------------------------------------------------------------------------------------- humans

    private static final class Human extends Figure {
        final double cy = 0.46;
        final double hw;
        final double hh;
        final Color skin;
        final Color skinLine;
        final Color hair;
        final Color hairLine;
        final double len;

        Human(Graphics2D g, WorldAttributes a, Nuisance n) {
            super(g, a, n);
            hw = (a.presentation() == Presentation.WOMAN ? 0.38 : 0.40) * n.faceWidth();
            hh = 0.50 * n.faceHeight();
            skin = jitter(Palette.skin(a.skinTone()), 0.05 * n.colorJitter());
            skinLine = darker(skin, 0.35);
            hair = jitter(Palette.hair(a.hairColor()), 0.07 * n.colorJitter());
            hairLine = darker(hair, 0.45);
            len = n.hairLength();
        }

        @Override
        void draw() {
            boolean woman = a.presentation() == Presentation.WOMAN;
            // the human figure is drawn 10% larger, so that the face details read at 64 px
            g.translate(0.5, 0.55);
            g.scale(1.1, 1.1);
            g.translate(-0.5, -0.55);
            Color clothes = Color.getHSBColor((float) n.clothesHue(), 0.55f, 0.55f);
            body(clothes, 0.86);
            // neck
            fill(darker(skin, 0.12), new RoundRectangle2D.Double(0.44, cy + 0.12, 0.12, 0.30, 0.05, 0.05));
            if (woman) {
                // a scoop neckline
                outlined(darker(skin, 0.12), darker(clothes, 0.3), 0.004, chordCap(0.5, 0.84, 0.24, 0.16, 0.84, false));
            } else {
                // a shirt collar: two white triangles
                Color collar = new Color(240, 240, 240);
                Path2D l = new Path2D.Double();
                l.moveTo(0.43, 0.81);
                l.lineTo(0.5, 0.89);
                l.lineTo(0.41, 0.88);
                l.closePath();
                Path2D r = new Path2D.Double();
                r.moveTo(0.57, 0.81);
                r.lineTo(0.5, 0.89);
                r.lineTo(0.59, 0.88);
                r.closePath();
                outlined(collar, new Color(150, 150, 150), 0.003, l, r);
            }
            hairBack();
            // ears, then the head
            outlined(skin, skinLine, 0.004, ellipse(0.5 - hw / 2, cy + 0.01, 0.07, 0.11), ellipse(0.5 + hw / 2, cy + 0.01, 0.07, 0.11));
            outlined(skin, skinLine, 0.004, ellipse(0.5, cy, hw, hh));
            if (a.facialHair() == WorldAttributes.FacialHair.BEARD) beard();
            face(woman);
            hairFront();
            eyewear();
        }

        private void hairBack() {
            switch (a.hairStyle()) {
                case LONG -> outlined(hair, hairLine, 0.006,
                        ellipse(0.5, cy - 0.02, hw + 0.12, hh + 0.08),
                        new RoundRectangle2D.Double(0.5 - (hw + 0.12) / 2, cy - 0.02, hw + 0.12, 0.30 + 0.14 * len, 0.08, 0.08));
                case BOB_CUT -> outlined(hair, hairLine, 0.006,
                        ellipse(0.5, cy - 0.03, hw + 0.1, hh + 0.06),
                        new RoundRectangle2D.Double(0.5 - (hw + 0.1) / 2, cy - 0.03, hw + 0.1, 0.23 + 0.02 * len, 0.1, 0.1));
                case CURLY -> {
                    double r = 0.085 * (0.85 + 0.3 * (len - 0.85));
                    java.util.List<Shape> parts = new java.util.ArrayList<>();
                    parts.add(ellipse(0.5, cy - 0.04, hw + 0.08, hh + 0.02));
                    for (int i = 0; i <= 12; i++) {
                        double ang = Math.toRadians(-195 + i * 17.5);
                        parts.add(ellipse(0.5 + Math.cos(ang) * (hw / 2 + 0.02), cy - 0.02 + Math.sin(ang) * (hh / 2 + 0.02), 2 * r, 2 * r));
                    }
                    outlined(hair, hairLine, 0.006, parts.toArray(new Shape[0]));
                }
                default -> {
                    // short, mohawk and bald have no hair behind the head
                }
            }
        }

        private void hairFront() {
            double capW = hw + 0.03;
            double capH = hh + 0.05;
            double capY = cy - 0.005;
            switch (a.hairStyle()) {
                case BALD -> {
                    // a shine on the scalp
                    g.setColor(new Color(255, 255, 255, 90));
                    g.fill(ellipse(0.45, cy - hh / 2 + 0.06, 0.09, 0.04));
                }
                case SHORT -> outlined(hair, hairLine, 0.005,
                        chordCap(0.5, capY, capW, capH, 0.31 - 0.02 * (len - 1), true),
                        new RoundRectangle2D.Double(0.5 - hw / 2 + 0.008, 0.27, 0.035, 0.14, 0.03, 0.03),
                        new RoundRectangle2D.Double(0.5 + hw / 2 - 0.043, 0.27, 0.035, 0.14, 0.03, 0.03));
                case LONG -> {
                    // a parted fringe: two caps meeting at the middle, and strands down the sides of the face
                    Path2D part = new Path2D.Double();
                    part.moveTo(0.5 - capW / 2, cy);
                    part.curveTo(0.5 - capW / 2, 0.22, 0.44, 0.18, 0.49, 0.2);
                    part.lineTo(0.52, 0.2);
                    part.curveTo(0.58, 0.19, 0.5 + capW / 2, 0.24, 0.5 + capW / 2, cy);
                    part.lineTo(0.5 + capW / 2 - 0.06, cy);
                    part.curveTo(0.5 + capW / 2 - 0.06, 0.32, 0.6, 0.29, 0.5, 0.26);
                    part.curveTo(0.42, 0.29, 0.5 - capW / 2 + 0.06, 0.32, 0.5 - capW / 2 + 0.06, cy);
                    part.closePath();
                    outlined(hair, hairLine, 0.005, part,
                            new RoundRectangle2D.Double(0.5 - capW / 2 - 0.01, 0.35, 0.065, 0.30 + 0.1 * len, 0.04, 0.04),
                            new RoundRectangle2D.Double(0.5 + capW / 2 - 0.055, 0.35, 0.065, 0.30 + 0.1 * len, 0.04, 0.04));
                }
                case BOB_CUT -> outlined(hair, hairLine, 0.005,
                        chordCap(0.5, capY, capW + 0.02, capH, 0.35, true),
                        new RoundRectangle2D.Double(0.5 - capW / 2 - 0.02, 0.3, 0.07, 0.34, 0.04, 0.04),
                        new RoundRectangle2D.Double(0.5 + capW / 2 - 0.05, 0.3, 0.07, 0.34, 0.04, 0.04));
                case MOHAWK -> {
                    double top = 0.075 + 0.05 * (1.15 - len);
                    Path2D p = new Path2D.Double();
                    p.moveTo(0.45, 0.34);
                    p.lineTo(0.445, 0.16);
                    p.quadTo(0.47, top + 0.02, 0.5, top);
                    p.quadTo(0.53, top + 0.02, 0.555, 0.16);
                    p.lineTo(0.55, 0.34);
                    p.closePath();
                    outlined(hair, hairLine, 0.006, p);
                }
                case CURLY -> {
                    double r = 0.05;
                    java.util.List<Shape> parts = new java.util.ArrayList<>();
                    parts.add(chordCap(0.5, capY, capW, capH, 0.29, true));
                    for (int i = 0; i <= 6; i++) {
                        double x = 0.5 - capW / 2 + 0.04 + i * (capW - 0.08) / 6;
                        double y = 0.29 + 0.035 * Math.pow((x - 0.5) / (capW / 2), 2) * 3;
                        parts.add(ellipse(x, y, 2 * r, 2 * r));
                    }
                    outlined(hair, hairLine, 0.005, parts.toArray(new Shape[0]));
                }
            }
        }

        private void beard() {
            Color c = hair;
            Shape jaw = chordCap(0.5, cy + 0.015, hw + 0.04, hh + 0.07, cy + 0.06, false);
            outlined(c, hairLine, 0.005, jaw,
                    new RoundRectangle2D.Double(0.5 - hw / 2 - 0.015, cy, 0.06, 0.12, 0.03, 0.03),
                    new RoundRectangle2D.Double(0.5 + hw / 2 - 0.045, cy, 0.06, 0.12, 0.03, 0.03));
        }

        private void face(boolean woman) {
            double ey = cy - 0.005;
            double ex = 0.085 * n.faceWidth();
            boolean surprised = a.expression() == Expression.SURPRISED;
            boolean makeup = a.makeup() == WorldAttributes.Makeup.MAKEUP;
            if (makeup) {
                // eye shadow: a coloured lid above each eye, and a touch of blush
                Color shadow = Color.getHSBColor((float) (0.72 + 0.16 * n.shade()), 0.75f, 0.8f);
                fill(shadow, ellipse(0.5 - ex, ey - 0.018, 0.1, 0.06));
                fill(shadow, ellipse(0.5 + ex, ey - 0.018, 0.1, 0.06));
                g.setColor(new Color(240, 90, 110, 90));
                g.fill(ellipse(0.5 - 0.12, cy + 0.08, 0.08, 0.05));
                g.fill(ellipse(0.5 + 0.12, cy + 0.08, 0.08, 0.05));
            }
            // eyes
            double eh = surprised ? 0.07 : 0.055;
            Color iris = Palette.eyes(a.eyeColor());
            for (int side = -1; side <= 1; side += 2) {
                double x = 0.5 + side * ex;
                outlined(Color.WHITE, new Color(60, 40, 40), 0.004, ellipse(x, ey, 0.095, eh));
                fill(iris, ellipse(x, ey, 0.05, Math.min(0.05, eh)));
                fill(Color.BLACK, ellipse(x, ey, 0.018, 0.018));
                if (woman) {
                    stroke(new Color(20, 15, 15), 0.012, new Arc2D.Double(x - 0.0475, ey - eh / 2, 0.095, eh, 10, 160, Arc2D.OPEN));
                }
            }
            // brows
            Color brow = a.hairStyle() == HairStyle.BALD ? darker(hair, 0.2) : darker(hair, 0.15);
            double by = surprised ? ey - 0.085 : ey - 0.055;
            for (int side = -1; side <= 1; side += 2) {
                double x0 = 0.5 + side * (ex - 0.045);
                double x1 = 0.5 + side * (ex + 0.05);
                stroke(brow, woman ? 0.013 : 0.02, new QuadCurve2D.Double(x0, by + 0.005, 0.5 + side * ex, by - (surprised ? 0.03 : 0.012), x1, by + 0.008));
            }
            // nose
            stroke(skinLine, 0.009, new QuadCurve2D.Double(0.497, cy + 0.02, 0.475, cy + 0.08, 0.515, cy + 0.085));
            mouth(makeup);
            if (a.facialHair() == WorldAttributes.FacialHair.MOUSTACHE || a.facialHair() == WorldAttributes.FacialHair.BEARD) {
                double my = cy + 0.115;
                Path2D m = new Path2D.Double();
                m.moveTo(0.5, my - 0.012);
                m.curveTo(0.53, my - 0.03, 0.58, my - 0.02, 0.59, my + 0.02);
                m.curveTo(0.56, my + 0.005, 0.53, my + 0.01, 0.5, my + 0.01);
                m.curveTo(0.47, my + 0.01, 0.44, my + 0.005, 0.41, my + 0.02);
                m.curveTo(0.42, my - 0.02, 0.47, my - 0.03, 0.5, my - 0.012);
                m.closePath();
                outlined(hair, hairLine, 0.004, m);
            }
        }

        private void mouth(boolean makeup) {
            double my = cy + 0.15;
            Color lip = makeup ? new Color(215, 20, 45) : mix(darker(skin, 0.25), new Color(170, 70, 80), 0.45);
            double lw = makeup ? 0.02 : 0.012;
            switch (a.expression()) {
                case NEUTRAL -> {
                    if (makeup) fill(lip, ellipse(0.5, my, 0.12, 0.045));
                    stroke(makeup ? darker(lip, 0.4) : lip, makeup ? 0.004 : lw, new QuadCurve2D.Double(0.45, my, 0.5, my + 0.006, 0.55, my));
                }
                case SMILING -> {
                    Path2D p = new Path2D.Double();
                    p.moveTo(0.41, my - 0.025);
                    p.quadTo(0.5, my - 0.015, 0.59, my - 0.025);
                    p.quadTo(0.57, my + 0.07, 0.5, my + 0.07);
                    p.quadTo(0.43, my + 0.07, 0.41, my - 0.025);
                    p.closePath();
                    fill(new Color(110, 20, 30), p);
                    g.setColor(Color.WHITE);
                    Shape old = g.getClip();
                    g.clip(p);
                    g.fill(new java.awt.geom.Rectangle2D.Double(0.4, my - 0.03, 0.2, 0.045));
                    g.setClip(old);
                    stroke(lip, lw, p);
                }
                case SURPRISED -> {
                    Shape o = ellipse(0.5, my + 0.01, 0.06, 0.075);
                    fill(new Color(80, 15, 25), o);
                    stroke(lip, lw, o);
                }
            }
        }

        private void eyewear() {
            double ey = cy - 0.005;
            double ex = 0.085 * n.faceWidth();
            Color frame = new Color(25, 25, 30);
            switch (a.eyewear()) {
                case NONE -> {
                }
                case GLASSES -> {
                    for (int side = -1; side <= 1; side += 2) stroke(frame, 0.011, ellipse(0.5 + side * ex, ey, 0.12, 0.095));
                    stroke(frame, 0.01, new QuadCurve2D.Double(0.5 - ex + 0.06, ey - 0.005, 0.5, ey - 0.02, 0.5 + ex - 0.06, ey - 0.005));
                    stroke(frame, 0.009, new Line2D.Double(0.5 - ex - 0.06, ey - 0.01, 0.5 - hw / 2 + 0.005, ey - 0.015));
                    stroke(frame, 0.009, new Line2D.Double(0.5 + ex + 0.06, ey - 0.01, 0.5 + hw / 2 - 0.005, ey - 0.015));
                }
                case SUNGLASSES -> {
                    for (int side = -1; side <= 1; side += 2) {
                        Shape lens = new RoundRectangle2D.Double(0.5 + side * ex - 0.068, ey - 0.045, 0.136, 0.09, 0.05, 0.05);
                        outlined(new Color(12, 12, 18), frame, 0.006, lens);
                        g.setColor(new Color(255, 255, 255, 70));
                        g.fill(ellipse(0.5 + side * ex - 0.03, ey - 0.022, 0.04, 0.015));
                    }
                    stroke(frame, 0.014, new Line2D.Double(0.5 - ex + 0.06, ey - 0.02, 0.5 + ex - 0.06, ey - 0.02));
                    stroke(frame, 0.011, new Line2D.Double(0.5 - ex - 0.065, ey - 0.02, 0.5 - hw / 2 + 0.005, ey - 0.02));
                    stroke(frame, 0.011, new Line2D.Double(0.5 + ex + 0.065, ey - 0.02, 0.5 + hw / 2 - 0.005, ey - 0.02));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- cats

    private static final class Cat extends Figure {
        Cat(Graphics2D g, WorldAttributes a, Nuisance n) {
            super(g, a, n);
        }

        @Override
        void draw() {
            double j = 0.06 * n.colorJitter();
            Color base = jitter(Palette.coat(a.coat()), j);
            Color line = a.coat() == WorldAttributes.CatCoat.BLACK ? new Color(90, 90, 95) : darker(base, 0.45);
            double cy = 0.5;
            double hw = 0.56 * n.faceWidth();
            double hh = 0.46 * n.faceHeight();
            body(base, 0.72);
            // ears
            Path2D earL = triangle(0.5 - hw * 0.45, cy - hh * 0.15, 0.5 - hw * 0.38, cy - hh * 0.85, 0.5 - hw * 0.08, cy - hh * 0.45);
            Path2D earR = triangle(0.5 + hw * 0.45, cy - hh * 0.15, 0.5 + hw * 0.38, cy - hh * 0.85, 0.5 + hw * 0.08, cy - hh * 0.45);
            Shape head = ellipse(0.5, cy, hw, hh);
            Color earLColor = a.coat() == WorldAttributes.CatCoat.CALICO ? jitter(new Color(230, 130, 45), j) : base;
            Color earRColor = a.coat() == WorldAttributes.CatCoat.CALICO ? new Color(40, 35, 35) : base;
            outlined(earLColor, line, 0.005, earL);
            outlined(earRColor, line, 0.005, earR);
            Color pink = new Color(240, 160, 170);
            fill(pink, triangle(0.5 - hw * 0.4, cy - hh * 0.25, 0.5 - hw * 0.36, cy - hh * 0.7, 0.5 - hw * 0.17, cy - hh * 0.42));
            fill(pink, triangle(0.5 + hw * 0.4, cy - hh * 0.25, 0.5 + hw * 0.36, cy - hh * 0.7, 0.5 + hw * 0.17, cy - hh * 0.42));
            outlined(base, line, 0.005, head);
            pattern(head, cy, hw, hh, j);
            // eyes: almond shapes with slit pupils
            Color iris = Palette.catEyes(a.eyeColor());
            double ey = cy - 0.03;
            for (int side = -1; side <= 1; side += 2) {
                double x = 0.5 + side * 0.11 * n.faceWidth();
                outlined(iris, new Color(20, 20, 20), 0.005, ellipse(x, ey, 0.1, 0.075));
                fill(Color.BLACK, ellipse(x, ey, 0.02, 0.064));
                g.setColor(new Color(255, 255, 255, 160));
                g.fill(ellipse(x + 0.018, ey - 0.018, 0.016, 0.016));
            }
            // muzzle, nose, mouth
            Color muzzle = mix(base, Color.WHITE, 0.55);
            outlined(muzzle, mix(line, muzzle, 0.5), 0.003, ellipse(0.46, cy + 0.085, 0.09, 0.07), ellipse(0.54, cy + 0.085, 0.09, 0.07));
            fill(new Color(235, 120, 140), triangle(0.47, cy + 0.045, 0.53, cy + 0.045, 0.5, cy + 0.075));
            Color mouthLine = a.coat() == WorldAttributes.CatCoat.BLACK ? new Color(110, 110, 110) : darker(base, 0.6);
            stroke(mouthLine, 0.006, new Line2D.Double(0.5, cy + 0.075, 0.5, cy + 0.1));
            // whiskers
            Color w = a.coat() == WorldAttributes.CatCoat.BLACK || a.coat() == WorldAttributes.CatCoat.GREY ? new Color(235, 235, 235) : new Color(70, 60, 55);
            for (int side = -1; side <= 1; side += 2) {
                for (int k = -1; k <= 1; k++) {
                    stroke(w, 0.006, new Line2D.Double(0.5 + side * 0.07, cy + 0.085 + k * 0.012, 0.5 + side * 0.33, cy + 0.06 + k * 0.045));
                }
            }
        }

        private void pattern(Shape head, double cy, double hw, double hh, double j) {
            Shape old = g.getClip();
            switch (a.coat()) {
                case TABBY -> {
                    Color stripe = jitter(new Color(85, 60, 35), j);
                    for (int k = -1; k <= 1; k++) {
                        stroke(stripe, 0.025, new Line2D.Double(0.5 + k * 0.05, cy - hh / 2 + 0.02, 0.5 + k * 0.035, cy - hh / 2 + 0.11));
                    }
                    for (int side = -1; side <= 1; side += 2) {
                        for (int k = 0; k < 2; k++) {
                            stroke(stripe, 0.02, new Line2D.Double(0.5 + side * (hw / 2 - 0.01), cy + k * 0.05, 0.5 + side * (hw / 2 - 0.09), cy + 0.01 + k * 0.05));
                        }
                    }
                }
                case CALICO -> {
                    g.clip(head);
                    fill(jitter(new Color(230, 130, 45), j), ellipse(0.5 - hw * 0.28, cy - hh * 0.3, hw * 0.55, hh * 0.6));
                    fill(new Color(40, 35, 35), ellipse(0.5 + hw * 0.3, cy - hh * 0.35, hw * 0.5, hh * 0.5));
                    g.setClip(old);
                }
                default -> {
                }
            }
        }
    }

    static Path2D triangle(double x0, double y0, double x1, double y1, double x2, double y2) {
        Path2D p = new Path2D.Double();
        p.moveTo(x0, y0);
        p.lineTo(x1, y1);
        p.lineTo(x2, y2);
        p.closePath();
        return p;
    }

    // ---------------------------------------------------------------------------------------------- lions

    private static final class Lion extends Figure {
        Lion(Graphics2D g, WorldAttributes a, Nuisance n) {
            super(g, a, n);
        }

        @Override
        void draw() {
            double j = 0.06 * n.colorJitter();
            Color fur = jitter(new Color(215, 165, 80), j);
            Color line = darker(fur, 0.45);
            Color mane = jitter(mix(new Color(150, 90, 35), new Color(95, 50, 20), n.shade()), j);
            double cy = 0.5;
            double hw = 0.42 * n.faceWidth();
            double hh = 0.46 * n.faceHeight();
            body(fur, 0.74);
            switch (a.mane()) {
                case NONE -> {
                }
                case SMALL -> maneRing(mane, cy, hw / 2 + 0.05, hh / 2 + 0.04, 0.06, 14);
                case FULL -> maneRing(mane, cy, hw / 2 + 0.13, hh / 2 + 0.11, 0.1, 16);
            }
            // round ears
            for (int side = -1; side <= 1; side += 2) {
                outlined(fur, line, 0.005, ellipse(0.5 + side * hw * 0.38, cy - hh * 0.42, 0.1, 0.1));
                fill(darker(fur, 0.35), ellipse(0.5 + side * hw * 0.38, cy - hh * 0.42 + 0.005, 0.05, 0.05));
            }
            outlined(fur, line, 0.005, ellipse(0.5, cy, hw, hh));
            // eyes
            for (int side = -1; side <= 1; side += 2) {
                double x = 0.5 + side * 0.085 * n.faceWidth();
                stroke(darker(fur, 0.4), 0.012, new QuadCurve2D.Double(x - 0.04, cy - 0.085, x, cy - 0.1, x + 0.04, cy - 0.085));
                outlined(new Color(200, 140, 40), new Color(40, 25, 10), 0.004, ellipse(x, cy - 0.05, 0.06, 0.045));
                fill(Color.BLACK, ellipse(x, cy - 0.05, 0.022, 0.03));
            }
            // muzzle, nose, mouth
            Color muzzle = mix(fur, new Color(250, 240, 215), 0.6);
            outlined(muzzle, mix(line, muzzle, 0.5), 0.003, ellipse(0.465, cy + 0.09, 0.1, 0.08), ellipse(0.535, cy + 0.09, 0.1, 0.08));
            fill(new Color(90, 50, 40), triangle(0.455, cy + 0.03, 0.545, cy + 0.03, 0.5, cy + 0.075));
            stroke(new Color(90, 50, 40), 0.007, new Line2D.Double(0.5, cy + 0.075, 0.5, cy + 0.11));
            for (int side = -1; side <= 1; side += 2) {
                for (int k = 0; k < 3; k++) {
                    fill(new Color(90, 60, 40), ellipse(0.5 + side * (0.035 + 0.018 * k), cy + 0.085 + 0.01 * (k % 2), 0.009, 0.009));
                }
            }
        }

        private void maneRing(Color mane, double cy, double rx, double ry, double r, int count) {
            Shape[] parts = new Shape[count + 1];
            parts[0] = ellipse(0.5, cy, 2 * rx, 2 * ry);
            for (int i = 0; i < count; i++) {
                double ang = 2 * Math.PI * i / count;
                parts[i + 1] = ellipse(0.5 + Math.cos(ang) * rx, cy + Math.sin(ang) * ry, 2 * r, 2 * r);
            }
            outlined(mane, darker(mane, 0.4), 0.006, parts);
        }
    }
}
