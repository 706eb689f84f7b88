package dev.styleclip.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The user's cache folder for what the tool unpacks or computes once and reuses: the bundled model files, prompt
 * embeddings. {@code STYLECLIP_CACHE} names it; otherwise {@code $XDG_CACHE_HOME/styleclip}, otherwise
 * {@code ~/.cache/styleclip}. Nothing is ever cached inside a model folder or the project's own folders, and
 * everything in it is written atomically, so a killed process leaves at most a {@code .part} file that the next
 * writer of the same folder removes.
 */
public final class CacheDir {
    private CacheDir() {
    }

    /** The cache root (not created). */
    public static Path root() {
        String own = System.getenv("STYLECLIP_CACHE");
        if (own != null && !own.isBlank()) return Path.of(own).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "styleclip").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "styleclip");
    }

    /** {@code root()/name}, created if needed; fails with the folder and the reason. */
    public static Path folder(String name) {
        Path dir = root().resolve(name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cache folder " + dir + " (set STYLECLIP_CACHE to a writable folder): "
                    + OutputFiles.reason(e), e);
        }
    }
}
