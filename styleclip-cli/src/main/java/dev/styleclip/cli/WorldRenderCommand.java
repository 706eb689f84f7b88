package dev.styleclip.cli;

import com.google.gson.GsonBuilder;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.Captions;
import dev.styleclip.world.Nuisance;
import dev.styleclip.world.PortraitRenderer;
import dev.styleclip.world.WorldSample;
import dev.styleclip.world.WorldSampler;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render portraits of the world from seeds.",
                "Writes, per seed N: seed_N.png, seed_N_captions.txt (sampled captions, one a line) and "
                        + "seed_N_attributes.json; and sheet.png, a contact sheet of all seeds."})
public final class WorldRenderCommand implements Callable<Integer> {
    static final int MAX_SIZE = 4096;

    @Option(names = "--seed", required = true, split = ",", arity = "1..*", paramLabel = "N", description = "One or more seeds.")
    List<Long> seeds;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "Image size in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--captions", defaultValue = "10", paramLabel = "K", description = "Captions to sample per seed (default: ${DEFAULT-VALUE}).")
    int captions;

    @Option(names = "--columns", paramLabel = "C", description = "Columns of the contact sheet (default: about the square root of the seed count).")
    Integer columns;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (size < 1 || size > MAX_SIZE) throw usage("--size must be in 1.." + MAX_SIZE + ", got " + size);
        if (captions < 0) throw usage("--captions must not be negative, got " + captions);
        if (columns != null && columns < 1) throw usage("--columns must be positive, got " + columns);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new java.io.IOException(out + " exists and is not a folder");
        Files.createDirectories(out);
        var o = spec.commandLine().getOut();
        List<BufferedImage> images = new ArrayList<>();
        for (long seed : new LinkedHashSet<>(seeds)) {
            WorldSample s = WorldSampler.sample(seed);
            BufferedImage img = PortraitRenderer.render(s, size);
            images.add(img);
            Path png = out.resolve("seed_" + seed + ".png");
            Images.write(png, img, Map.of("styleclip", new GsonBuilder().create().toJson(provenance(seed))));
            AtomicFiles.write(out.resolve("seed_" + seed + "_captions.txt"), captionLines(s).getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(out.resolve("seed_" + seed + "_attributes.json"),
                    (new GsonBuilder().setPrettyPrinting().create().toJson(attributes(s)) + "\n").getBytes(StandardCharsets.UTF_8));
            o.println("wrote " + png);
        }
        int cols = columns != null ? columns : (int) Math.ceil(Math.sqrt(images.size()));
        Path sheet = out.resolve("sheet.png");
        Images.write(sheet, Images.grid(images, cols), Map.of("styleclip", new GsonBuilder().create().toJson(Map.of(
                "tool", "styleclip world render", "seeds", seeds, "size", size, "columns", cols))));
        o.println("wrote " + sheet);
        o.flush();
        return 0;
    }

    private Map<String, Object> provenance(long seed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip world render");
        p.put("seed", seed);
        p.put("size", size);
        return p;
    }

    private String captionLines(WorldSample s) {
        SplittableRandom r = new SplittableRandom(s.seed());
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < captions; i++) b.append(Captions.sample(s.attributes(), r)).append('\n');
        return b.toString();
    }

    /** The seed, each applicable category's class name, and the nuisance parameters. */
    static Map<String, Object> attributes(WorldSample s) {
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

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
