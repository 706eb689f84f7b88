package dev.styleclip.world;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.styleclip.check.SettingException;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.OutputFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Portraits of the world written into a folder, as {@code styleclip world render} writes them: per seed N,
 * {@code seed_N.png} (its provenance in the PNG's {@code styleclip} text chunk), {@code seed_N_captions.txt} (captions
 * sampled from the seed, one a line) and {@code seed_N_attributes.json} (the seed, each applicable category's class
 * and the nuisance parameters); then {@code sheet.png}, a contact sheet of every seed in order. A portrait is a pure
 * function of its seed and size, so the same settings write the same files.
 */
public final class WorldRender {
    /** The largest image side. */
    public static final int MAX_SIZE = 4096;

    private static final Gson ONE_LINE = new GsonBuilder().create();
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().create();

    private WorldRender() {
    }

    /**
     * @param seeds    the seeds to render, in order (a repeated seed is rendered once)
     * @param size     image side in pixels, 1 to {@link #MAX_SIZE}
     * @param captions captions sampled per seed, 0 or more
     * @param columns  columns of the contact sheet, or null for about the square root of the seed count
     */
    public record Settings(List<Long> seeds, int size, int captions, Integer columns) {
        public Settings {
            if (seeds == null || seeds.isEmpty()) throw new SettingException("seed", "must name at least one seed");
            seeds = List.copyOf(seeds);
            if (size < 1 || size > MAX_SIZE) throw new SettingException("size", "must be in 1.." + MAX_SIZE + ", got " + size);
            if (captions < 0) throw new SettingException("captions", "must not be negative, got " + captions);
            if (columns != null && columns < 1) throw new SettingException("columns", "must be positive, got " + columns);
        }
    }

    /** Told of each image written: every seed's PNG as it is written, then the sheet. */
    @FunctionalInterface
    public interface Listener {
        void onImageWritten(Path file);
    }

    /**
     * Writes the portraits of {@code settings} into {@code out} (created if needed; files of the same names are
     * replaced) and returns the sheet's path. An impossible {@code out} fails before anything is rendered.
     */
    public static Path write(Settings settings, Path out, Listener listener) throws IOException {
        OutputFiles.checkFolder(out);
        Files.createDirectories(out);
        List<BufferedImage> images = new ArrayList<>();
        for (long seed : new LinkedHashSet<>(settings.seeds())) {
            WorldSample s = WorldSampler.sample(seed);
            BufferedImage img = PortraitRenderer.render(s, settings.size());
            images.add(img);
            Path png = out.resolve("seed_" + seed + ".png");
            Images.write(png, img, Map.of("styleclip", ONE_LINE.toJson(provenance(seed, settings.size()))));
            AtomicFiles.write(out.resolve("seed_" + seed + "_captions.txt"),
                    captionLines(s, settings.captions()).getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(out.resolve("seed_" + seed + "_attributes.json"),
                    (PRETTY.toJson(attributes(s)) + "\n").getBytes(StandardCharsets.UTF_8));
            listener.onImageWritten(png);
        }
        int cols = settings.columns() != null ? settings.columns() : (int) Math.ceil(Math.sqrt(images.size()));
        Map<String, Object> sheetProvenance = new LinkedHashMap<>();
        sheetProvenance.put("tool", "styleclip world render");
        sheetProvenance.put("seeds", settings.seeds());
        sheetProvenance.put("size", settings.size());
        sheetProvenance.put("columns", cols);
        Path sheet = out.resolve("sheet.png");
        Images.write(sheet, Images.grid(images, cols), Map.of("styleclip", ONE_LINE.toJson(sheetProvenance)));
        listener.onImageWritten(sheet);
        return sheet;
    }

    private static Map<String, Object> provenance(long seed, int size) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip world render");
        p.put("seed", seed);
        p.put("size", size);
        return p;
    }

    /** {@code k} captions of the portrait, sampled from its seed, one a line. */
    public static String captionLines(WorldSample s, int k) {
        SplittableRandom r = new SplittableRandom(s.seed());
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < k; i++) b.append(Captions.sample(s.attributes(), r)).append('\n');
        return b.toString();
    }

    /** The seed, each applicable category's class name, and the nuisance parameters (the attributes JSON). */
    public static Map<String, Object> attributes(WorldSample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", s.seed());
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (AttributeCategory c : AttributeCategory.ALL) {
            String name = c.className(s.attributes());
            if (name != null) attrs.put(c.name(), name);
        }
        m.put("attributes", attrs);
        Nuisance n = s.nuisance();
        Map<String, Object> nm = new LinkedHashMap<>();
        for (var comp : Nuisance.class.getRecordComponents()) {
            try {
                nm.put(comp.getName(), comp.getAccessor().invoke(n));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        m.put("nuisance", nm);
        return m;
    }
}
