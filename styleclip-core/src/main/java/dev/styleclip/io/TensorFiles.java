package dev.styleclip.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads a file that holds one tensor: a {@code .npy}, or a torch {@code .pt} whose top level is one tensor. */
public final class TensorFiles {
    private TensorFiles() {
    }

    /**
     * The file's one tensor. A damaged file is a {@link CheckpointException} here, also where the damage shows
     * only once the tensor's bytes are read (a torch zip's record that fails its CRC-32).
     */
    public static RawTensor readSingle(Path file) throws IOException {
        Checkpoint c = CheckpointReader.read(file);
        try {
            if (c.root() instanceof TensorRef t) return t.read();
            Map<String, TensorRef> all = Checkpoint.tensors(c.root());
            if (all.size() == 1) return all.values().iterator().next().read();
            throw new CheckpointException(file, "expected a file holding one tensor, found " + Checkpoint.describe(c.root())
                    + " with " + all.size() + " tensors");
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CheckpointException named) throw named;
            throw e;
        }
    }
}
