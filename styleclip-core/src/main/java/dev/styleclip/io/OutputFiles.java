package dev.styleclip.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files and folders one run writes, so that a run that fails or is stopped leaves nothing it created: every
 * output path is {@link #claim claimed} before it is written (its missing parent folders are created and
 * remembered), and {@link #close()} without {@link #commit()} deletes the claimed files that did not exist before and
 * then the folders it created, deepest first. A file that existed before is replaced by the run (outputs of the
 * same name are overwritten) and is not restored. Each file itself is written atomically by the writers of this
 * package, so a reader never sees half of one.
 */
public final class OutputFiles implements AutoCloseable {
    private final List<Path> createdFiles = new ArrayList<>();
    private final List<Path> createdFolders = new ArrayList<>();
    private boolean committed;

    /** Claims {@code dir} as an output folder: it is created (with its parents) unless it exists. */
    public Path folder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) return abs;
        if (Files.exists(abs)) throw new FileAlreadyExistsException(abs.toString(), null, "exists and is not a folder");
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) {
            if (Files.exists(p)) throw new NotDirectoryException(p.toString());
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            createdFolders.add(p);
        }
        return abs;
    }

    /** Claims {@code file} as an output of this run: its folder is created if needed; returns the absolute path. */
    public Path claim(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) throw new FileAlreadyExistsException(abs.toString(), null, "is a folder, not a file");
        if (abs.getParent() != null) folder(abs.getParent());
        if (!Files.exists(abs) && !createdFiles.contains(abs)) createdFiles.add(abs);
        return abs;
    }

    /** The run succeeded: everything it wrote stays. */
    public void commit() {
        committed = true;
    }

    /** Without {@link #commit()}: removes what the run created (best effort; what cannot be removed is left). */
    @Override
    public void close() {
        if (committed) return;
        for (int i = createdFiles.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(createdFiles.get(i));
            } catch (IOException e) {
                // best effort
            }
        }
        for (int i = createdFolders.size() - 1; i >= 0; i--) {
            try {
                AtomicFiles.removeStaleParts(createdFolders.get(i));
                Files.deleteIfExists(createdFolders.get(i));
            } catch (DirectoryNotEmptyException e) {
                // something else was put there meanwhile: it stays
            } catch (IOException e) {
                // best effort
            }
        }
    }

    /**
     * Checks, without creating anything, that {@code dir} is a folder or can be created as one: a run finds out that
     * its output cannot be written before it computes anything. Throws an exception that {@link #reason} words.
     */
    public static void checkFolder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                if (!Files.isWritable(p)) throw new AccessDeniedException(p.toString());
                return;
            }
            if (Files.exists(p)) {
                if (p.equals(abs)) throw new FileAlreadyExistsException(abs.toString(), null, "exists and is not a folder");
                throw new NotDirectoryException(p.toString());
            }
        }
    }

    /** As {@link #checkFolder} for the folder an output file goes into; a folder in the file's place is refused. */
    public static void checkFile(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) throw new FileAlreadyExistsException(abs.toString(), null, "is a folder, not a file");
        if (abs.getParent() != null) checkFolder(abs.getParent());
    }

    /**
     * A one-line reason for a file-system failure that names the path: Java's exceptions of java.nio.file carry
     * only the path as their message ("error: /x/y" tells a user nothing).
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            String file = fs.getFile();
            String why = fs.getReason();
            if (e instanceof NoSuchFileException) return file + ": no such file or folder";
            if (e instanceof AccessDeniedException) return file + ": permission denied";
            if (e instanceof NotDirectoryException) return file + " is a file, so nothing can be created under it";
            if (e instanceof FileAlreadyExistsException) return file + (why != null ? " " + why : " exists already");
            if (e instanceof DirectoryNotEmptyException) return file + ": the folder is not empty";
            return file + ": " + (why != null ? why : e.getClass().getSimpleName());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
