package dev.styleclip.io;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first check of every reader on a file a user named: a directory, a missing file or one that cannot
 * be opened each get their own one-line message, rather than whatever the call that opens it says
 * (a bare path for a refused permission, "Is a directory" from a read that comes later). Image readers
 * ({@code dev.styleclip.image.InputImages}) make the same first check.
 */
public final class InputFiles {
    private InputFiles() {
    }

    /** Refuses a directory, a missing file or one this process may not open; lets pipes and devices through. */
    public static void requireReadable(Path file) throws CheckpointException {
        if (Files.isDirectory(file)) throw new CheckpointException(CheckpointException.name(file) + " is a directory, not a file");
        if (!Files.exists(file)) {
            throw new CheckpointException(file, Files.isSymbolicLink(file) ? "a symbolic link to a missing file" : "no such file");
        }
        if (!Files.isRegularFile(file)) return; // opening a pipe would wait for its writer
        try (SeekableByteChannel ignored = Files.newByteChannel(file)) {
            // opened: readable
        } catch (AccessDeniedException e) {
            throw new CheckpointException(file, "cannot be opened: permission denied", e);
        } catch (FileSystemException e) {
            throw new CheckpointException(file, "cannot be opened: " + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be opened: " + e.getMessage(), e);
        }
    }

    /** {@link #requireReadable}, and a regular file: the zip and pickle readers reopen it and seek in it. */
    static void requireRegularFile(Path file) throws CheckpointException {
        requireReadable(file);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "not a regular file (a pipe or a device): checkpoints are read from files");
        }
    }
}
