package dev.styleclip.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint or tensor file that cannot be read as what it claims to be; the message names the file. */
public class CheckpointException extends IOException {
    public CheckpointException(Path file, String reason) {
        super(file.getFileName() + ": " + reason);
    }

    public CheckpointException(Path file, String reason, Throwable cause) {
        super(file.getFileName() + ": " + reason, cause);
    }

    public CheckpointException(String message) {
        super(message);
    }
}
