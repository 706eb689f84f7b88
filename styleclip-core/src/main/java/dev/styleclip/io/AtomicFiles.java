package dev.styleclip.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader (or a crash) never sees a half-written one: temp file, then rename.
 * The file gets the permissions a plainly created file would (the process umask applies), or those of the
 * file it replaces.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Streams {@code content} into a temporary file beside {@code file}, then renames it into place; if
     * writing fails, the temporary file is removed and {@code file} is left as it was.
     */
    public static void write(Path file, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = createTemp(abs);
        try {
            keepPermissions(abs, tmp);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
            move(tmp, abs);
        } catch (java.nio.file.FileSystemException e) {
            Files.deleteIfExists(tmp);
            throw e;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            // e.g. "No space left on device": say which file could not be written
            throw (IOException) new java.nio.file.FileSystemException(abs.toString(), null, e.getMessage()).initCause(e);
        } catch (RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * A new empty file ".name.random.part" beside {@code target}. Not Files.createTempFile, which makes the
     * file owner-only (0600): after the rename, a checkpoint or image would be unreadable to anyone else.
     */
    private static Path createTemp(Path target) throws IOException {
        Path dir = target.getParent();
        for (int attempt = 0; ; attempt++) {
            String name = "." + target.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".part";
            try {
                return Files.createFile(dir == null ? Path.of(name) : dir.resolve(name));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    private static void keepPermissions(Path target, Path tmp) throws IOException {
        if (!Files.exists(target)) return;
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the defaults stay
        }
    }

    /**
     * Removes the {@code .part} files a killed writer left in {@code dir} (those older than ten minutes, so that a
     * write in progress in another process is left alone).
     */
    public static void removeStaleParts(Path dir) {
        long cutoff = System.currentTimeMillis() - 10 * 60 * 1000;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".part") && Files.getLastModifiedTime(p).toMillis() < cutoff) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a folder we cannot list keeps its leftovers
        }
    }

    /** Renames {@code tmp} onto {@code target}, atomically where the file system allows. */
    public static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
