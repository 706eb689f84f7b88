package dev.styleclip.bundled;

import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.CacheDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model set the project trains on its own procedural world and ships as resources of the {@code styleclip-world}
 * module (MODELS.md beside them), so that every command works with no downloads: a 64-px StyleGAN2 generator, a small
 * ViT CLIP, the attribute classifier that judges edits, latent mappers for a few prompts and the global-direction
 * statistics. The files are in the formats the project reads for published weights.
 *
 * <p>Readers take paths, so each file is unpacked once into the user's cache ({@link CacheDir},
 * {@code bundled/<set>/}, where {@code <set>} is a hash of the set's {@code SHA256SUMS}) and reused by every later run.
 * A file is copied to a {@code .part} file, checked against its SHA-256 and renamed into place, so a killed process
 * never strands a half-copied model, and no temporary folder is left behind.
 */
public final class BundledModels {
    private static final String ROOT = "/dev/styleclip/bundled/";
    public static final String GENERATOR = "generator.pt";
    public static final String CLIP = "clip.pt";
    public static final String CLASSIFIER = "classifier.pt";
    /** The encoder trained for the generator ({@code styleclip encoder train}). */
    public static final String ENCODER = "encoder.pt";
    /** The generator's image size. */
    public static final int IMAGE_SIZE = 64;
    private static volatile Map<String, String> sums;

    private BundledModels() {
    }

    /** Whether the class path holds the bundled set (the {@code styleclip-world} module). */
    public static boolean available() {
        return BundledModels.class.getResource(ROOT + "SHA256SUMS") != null;
    }

    /** Whether the set holds a file of this name. */
    public static boolean has(String name) {
        return available() && sums().containsKey(name);
    }

    /** The bundled file as a path on disk, unpacked into the cache on first use. */
    public static Path path(String name) {
        String sha = sums().get(name);
        if (sha == null) throw new IllegalStateException("the bundled model set has no file '" + name + "'");
        Path target = folder().resolve(name);
        if (Files.isRegularFile(target)) return target;
        synchronized (BundledModels.class) {
            if (Files.isRegularFile(target)) return target;
            try {
                Files.createDirectories(target.getParent());
                AtomicFiles.removeStaleParts(target.getParent());
                AtomicFiles.write(target, out -> copyChecked(name, sha, out));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unpack the bundled model " + name + " into " + target.getParent() + ": "
                        + e.getMessage() + " (set STYLECLIP_CACHE to a writable folder)", e);
            }
            return target;
        }
    }

    private static void copyChecked(String name, String sha, java.io.OutputStream out) throws IOException {
        try (InputStream raw = BundledModels.class.getResourceAsStream(ROOT + name);
             DigestInputStream in = new DigestInputStream(raw, MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(out);
            String got = HexFormat.of().formatHex(in.getMessageDigest().digest());
            if (!got.equals(sha)) throw new IOException("its SHA-256 is " + got + ", SHA256SUMS says " + sha + " (a damaged build)");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cache folder of this build's set: {@code <cache>/bundled/<first 16 hex digits of SHA256SUMS' hash>}. */
    public static Path folder() {
        return CacheDir.folder("bundled").resolve(setId());
    }

    /** The bundled global-direction folder (fs3.npy, s_mean.npy, s_std.npy), unpacked as one folder. */
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
        String index = resourceText("mappers/index.txt");
        if (index == null) return out;
        for (String line : index.split("\n")) if (!line.isBlank()) out.add(line.strip());
        return out;
    }

    /** The SHA-256 of the bundled generator file (a generator given by path with this hash is the bundled one). */
    public static String generatorSha256() {
        return sha256(GENERATOR);
    }

    /** The SHA-256 of a bundled file, or null when the set is not on the class path or has no such file. */
    public static String sha256(String name) {
        return available() ? sums().get(name) : null;
    }

    /** Lower case, runs of anything but letters and digits as one underscore. */
    public static String slug(String prompt) {
        return dev.styleclip.io.FileNames.slug(prompt);
    }

    /** file name -> SHA-256, from the set's SHA256SUMS (as {@code sha256sum} writes it). */
    static Map<String, String> sums() {
        Map<String, String> s = sums;
        if (s != null) return s;
        String text = resourceText("SHA256SUMS");
        if (text == null) {
            throw new IllegalStateException("the bundled models are not on the class path (they ship in the styleclip-world module)");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.strip().split("\\s+\\*?", 2);
            m.put(parts[1], parts[0]);
        }
        sums = m;
        return m;
    }

    private static String setId() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(resourceText("SHA256SUMS").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resourceText(String name) {
        try (InputStream in = BundledModels.class.getResourceAsStream(ROOT + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
