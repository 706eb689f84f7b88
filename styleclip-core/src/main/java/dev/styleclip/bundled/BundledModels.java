package dev.styleclip.bundled;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model set the project trains on its own procedural world and ships as resources (see MODELS.md beside them),
 * so that every command works with no downloads: a 64-px StyleGAN2 generator, a small ViT CLIP, the attribute
 * classifier that judges edits, latent mappers for a few prompts and the global-direction statistics. The files are
 * in the formats the project reads for published weights; they are copied out of the jar into a private temporary
 * folder on first use (readers take paths).
 */
public final class BundledModels {
    private static final String ROOT = "/dev/styleclip/bundled/";
    public static final String GENERATOR = "generator.pt";
    public static final String CLIP = "clip.pt";
    public static final String CLASSIFIER = "classifier.pt";
    /** The generator's image size and the truncation its samples are drawn at (it learned the whole prior). */
    public static final int IMAGE_SIZE = 64;
    public static final double TRUNCATION = 1.0;
    /**
     * Latent optimization's settings on this set, chosen with world eval (the README's table): one offset in W shared
     * by every row (the generator learned what lies between its codes along shared rows), {@value #OPTIMIZE_STEPS}
     * Adam steps at lr 0.1, an L2 weight of {@value #OPTIMIZE_L2} and an L1 weight of {@value #OPTIMIZE_L1} to the
     * start (the attribute classes lie 0.5 apart on their own axes of w, and the L1 term keeps the axes the prompt
     * pulls weakly where they were; its weight rises from 0 over the first {@value #OPTIMIZE_L1_RAMP} of the steps, so
     * that the edit first moves and then gives back what the prompt pulls weakly), the CLIP loss averaged over
     * {@value #OPTIMIZE_SMOOTH} latents moved by Gaussian offsets of {@value #OPTIMIZE_SMOOTH_SIGMA} per coordinate, and
     * a second pass with the L1 weight {@value #OPTIMIZE_RETRY_L1} for a latent whose CLIP cosine to the prompt rose by
     * less than {@value #OPTIMIZE_RETRY_BELOW} (where CLIP pulls on nothing harder than the L1 term holds, the first pass
     * leaves the portrait as it was). The L1 cap by the prompt's pull is off ({@value #OPTIMIZE_L1_PULL_SHARE}): it
     * loosened the hold on every portrait of a weak prompt, where the retry loosens it only on those the edit missed.
     */
    public static final int OPTIMIZE_STEPS = 25;
    public static final double OPTIMIZE_L2 = 0.01;
    public static final double OPTIMIZE_L1 = 0.01;
    public static final double OPTIMIZE_L1_RAMP = 1.0;
    public static final double OPTIMIZE_L1_PULL_SHARE = 0;
    public static final double OPTIMIZE_RETRY_BELOW = 0.1;
    public static final double OPTIMIZE_RETRY_L1 = 0.0035;
    public static final int OPTIMIZE_SMOOTH = 4;
    public static final double OPTIMIZE_SMOOTH_SIGMA = 0.12;

    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();
    private static Path dir;

    private BundledModels() {
    }

    /** Whether the jar holds a bundled file of this name. */
    public static boolean has(String name) {
        return BundledModels.class.getResource(ROOT + name) != null;
    }

    /** The bundled file as a path on disk; fails with the file's name when this build has no such model. */
    public static Path path(String name) {
        return EXTRACTED.computeIfAbsent(name, n -> {
            try (InputStream in = BundledModels.class.getResourceAsStream(ROOT + n)) {
                if (in == null) throw new IllegalStateException("this build has no bundled model '" + n + "'");
                Path target = folder().resolve(n);
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(target.getParent(), ".part", "");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy bundled model " + n + ": " + e.getMessage(), e);
            }
        });
    }

    private static synchronized Path folder() throws IOException {
        if (dir == null) {
            Path created = Files.createTempDirectory("styleclip-bundled-");
            // the whole tree goes at exit, sub-folders (mappers/, directions/) included: File.deleteOnExit would
            // leave every folder it was not told about, and so the folder above it
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(created), "styleclip-bundled-cleanup"));
            dir = created;
        }
        return dir;
    }

    /** The folder the bundled files are copied into (created on first use; deleted with its contents at exit). */
    public static Path folderPath() {
        try {
            return folder();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the bundled models: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at exit: a folder we cannot list is left for the system's temp cleaner
        }
    }

    /** The bundled global-direction folder (fs3.npy, s_mean.npy, s_std.npy), copied out as one folder. */
    public static Path directions() {
        for (String f : new String[] {"s_mean.npy", "s_std.npy"}) path("directions/" + f);
        return path("directions/fs3.npy").getParent();
    }

    /** The resource name of the latent mapper trained for {@code prompt}: mappers/mohawk_hairstyle.pt. */
    public static String mapperName(String prompt) {
        return "mappers/" + slug(prompt) + ".pt";
    }

    /** The prompts that have a bundled mapper (listed in mappers/index.txt). */
    public static List<String> mapperPrompts() {
        List<String> out = new ArrayList<>();
        try (InputStream in = BundledModels.class.getResourceAsStream(ROOT + "mappers/index.txt")) {
            if (in == null) return out;
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) out.add(line.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Lower case, runs of anything but letters and digits as one underscore. */
    public static String slug(String prompt) {
        return prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
