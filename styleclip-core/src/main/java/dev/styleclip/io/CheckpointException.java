package dev.styleclip.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint or tensor file that cannot be read as what it claims to be; the message names the file. */
public class CheckpointException extends IOException {
    public CheckpointException(Path file, String reason) {
        super(name(file) + ": " + reason);
    }

    public CheckpointException(Path file, String reason, Throwable cause) {
        super(name(file) + ": " + reason, cause);
    }

    public CheckpointException(String message) {
        super(message);
    }

    private CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * "&lt;name&gt; is damaged: &lt;detail&gt;": what the file says about itself (a record's CRC-32, a size it
     * records, where it ends) disagrees with what it holds, so it was changed or cut short after it was written.
     */
    public static CheckpointException damaged(Path file, String detail) {
        return new CheckpointException(name(file) + " is damaged: " + detail);
    }

    public static CheckpointException damaged(Path file, String detail, Throwable cause) {
        return new CheckpointException(name(file) + " is damaged: " + detail, cause);
    }

    /** The file's name as messages show it (the whole path where it has no name, such as "/"). */
    static String name(Path file) {
        Path name = file.getFileName();
        return name != null ? name.toString() : file.toString();
    }
}
