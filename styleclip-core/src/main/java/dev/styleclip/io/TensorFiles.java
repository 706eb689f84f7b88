package dev.styleclip.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads a file that holds one tensor: a {@code .npy}, or a torch {@code .pt} whose top level is one tensor. */
public final class TensorFiles {
    private TensorFiles() {
    }

    public static RawTensor readSingle(Path file) throws IOException {
        Checkpoint c = CheckpointReader.read(file);
        if (c.root() instanceof TensorRef t) return t.read();
        Map<String, TensorRef> all = Checkpoint.tensors(c.root());
        if (all.size() == 1) return all.values().iterator().next().read();
        throw new CheckpointException(file, "expected a file holding one tensor, found " + Checkpoint.describe(c.root())
                + " with " + all.size() + " tensors");
    }
}
