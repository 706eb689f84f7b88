package dev.styleclip.evaluate;

import dev.styleclip.check.SettingException;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.PortraitRenderer;
import dev.styleclip.world.WorldAttributes.Species;
import dev.styleclip.world.WorldDataset;
import dev.styleclip.world.WorldSample;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * How well pictures the generator did not draw are encoded and then edited: procedural renders of seeds no training
 * ever used ({@link #FIRST_SEED} on; training portraits start at {@code WorldData.TRAINING_SEEDS}, world eval's CLIP
 * checks use seeds 5000-8399), whose true attributes are known, and the same renders {@link Variant shifted, rotated
 * and JPEG-compressed}. For each, the judge classifier's agreement between a render's true attributes and its reading
 * of the reconstruction, per category; and, through {@link WorldEval}'s methods, edits of the inverted latents scored
 * against the true attributes.
 */
public final class InversionEval {
    /** The first held-out render. */
    public static final long FIRST_SEED = 20_000;

    /** What is done to a render before it is inverted. */
    public enum Variant {
        RENDER("renders", "renders"), SHIFTED("shifted", "shifted 4 px"), ROTATED("rotated", "rotated 5°"), JPEG("jpeg", "JPEG quality 60");

        private final String key;
        private final String label;

        Variant(String key, String label) {
            this.key = key;
            this.label = label;
        }

        /** The name on the command line and in files: renders, shifted, rotated, jpeg. */
        public String key() {
            return key;
        }

        /** How a table names it: "rotated 5°". */
        public String label() {
            return label;
        }

        /** The variant of that {@link #key()}; another value is a {@link SettingException} naming {@code setting}. */
        public static Variant parse(String setting, String value) {
            for (Variant v : values()) if (v.key.equals(value)) return v;
            throw new SettingException(setting, "must be renders, shifted, rotated or jpeg, not " + value);
        }
    }

    /**
     * The judge's reading of reconstructions against the renders' true attributes.
     *
     * @param agreement   over the judged categories that apply to each render's species
     * @param byCategory  per category, the share of renders read as their true class
     */
    public record Agreement(int images, double agreement, Map<String, Double> byCategory) {
    }

    private final AttributeClassifier classifier;
    private final Set<AttributeCategory> judged;

    /** @param judged the categories the judge reads well enough to count ({@link WorldEval.Recognition#readable}) */
    public InversionEval(AttributeClassifier classifier, Set<AttributeCategory> judged) {
        this.classifier = classifier;
        this.judged = Set.copyOf(judged);
    }

    /** The held-out renders' samples: seeds {@link #FIRST_SEED} ... {@code + n - 1}. */
    public static List<WorldSample> heldOut(int n) {
        return WorldDataset.samples(FIRST_SEED, n);
    }

    /** A sample rendered at {@code size} px and changed as {@code v} says. */
    public static BufferedImage picture(WorldSample s, int size, Variant v) {
        BufferedImage render = PortraitRenderer.render(s, size);
        return switch (v) {
            case RENDER -> render;
            case SHIFTED -> transformed(render, AffineTransform.getTranslateInstance(4, 4));
            case ROTATED -> transformed(render, AffineTransform.getRotateInstance(Math.toRadians(5), size / 2.0, size / 2.0));
            case JPEG -> jpeg(render, 0.6f);
        };
    }

    /** The pictures of {@code samples} as a batch [N, 3, S, S] in [-1, 1]. */
    public static Tensor pictures(List<WorldSample> samples, int size, Variant v) {
        List<BufferedImage> images = new ArrayList<>();
        for (WorldSample s : samples) images.add(picture(s, size, v));
        return WorldDataset.toTensor(images);
    }

    /** The true class of every category ({@link AttributeCategory#ALL}'s order) of a sample. */
    public static int[] trueClasses(WorldSample s) {
        int[] c = new int[AttributeCategory.ALL.size()];
        for (int i = 0; i < c.length; i++) c[i] = AttributeCategory.ALL.get(i).index(s.attributes());
        return c;
    }

    /** The judge's agreement between the samples' true attributes and its reading of {@code reconstructions}. */
    public Agreement agreement(List<WorldSample> samples, Tensor reconstructions) {
        return agreement(samples, read(reconstructions));
    }

    /** The judge's reading of images [N, 3, S, S]: a class per category ({@link AttributeCategory#ALL}'s order) per image. */
    public int[][] read(Tensor images) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return classifier.predict(images).classes();
        }
    }

    /** As {@link #agreement(List, Tensor)} from the judge's readings ({@link #read}), one per sample. */
    public Agreement agreement(List<WorldSample> samples, int[][] read) {
        if (read.length != samples.size()) throw new IllegalArgumentException(read.length + " readings for " + samples.size() + " samples");
        int cats = AttributeCategory.ALL.size();
        long[] hit = new long[cats], count = new long[cats];
        long hits = 0, counted = 0;
        for (int i = 0; i < samples.size(); i++) {
            int[] truth = trueClasses(samples.get(i));
            Species species = WorldEval.species(truth);
            for (int c = 0; c < cats; c++) {
                AttributeCategory cat = AttributeCategory.ALL.get(c);
                if (!WorldEval.applies(cat, species)) continue;
                count[c]++;
                boolean same = read[i][c] == truth[c];
                if (same) hit[c]++;
                if (!judged.contains(cat)) continue;
                counted++;
                if (same) hits++;
            }
        }
        Map<String, Double> byCategory = new LinkedHashMap<>();
        for (int c = 0; c < cats; c++) if (count[c] > 0) byCategory.put(AttributeCategory.ALL.get(c).name(), hit[c] / (double) count[c]);
        return new Agreement(samples.size(), counted == 0 ? 0 : hits / (double) counted, byCategory);
    }

    /** The first {@code n} of {@code samples} whose true attributes can take the edit. */
    public static List<Integer> eligible(WorldEval.Target t, List<WorldSample> samples, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < samples.size() && out.size() < n; i++) {
            if (WorldEval.canTake(t, trueClasses(samples.get(i)))) out.add(i);
        }
        return out;
    }

    private static BufferedImage transformed(BufferedImage src, AffineTransform at) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        // the uncovered border takes the background's colour (the corner pixel), as a photo's crop would show more of it
        g.setColor(new Color(src.getRGB(0, 0)));
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, at, null);
        g.dispose();
        return out;
    }

    private static BufferedImage jpeg(BufferedImage src, float quality) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(src, null, null), p);
            } finally {
                writer.dispose();
            }
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            BufferedImage rgb = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(decoded, 0, 0, null);
            return rgb;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
