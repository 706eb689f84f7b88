package dev.styleclip.edit.global;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.Npy;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The files StyleCLIP publishes for global directions, read as they are: {@code fs3.npy} ([rows, clip_dim],
 * float32 or float16) and the {@code S_mean_std} pickle ({@code [m, std]}, each a list of float32 arrays
 * [C_i] in S order), so that a user with those files can skip preparation.
 */
public final class PublishedFiles {
    private PublishedFiles() {
    }

    /** fs3 as float32 [rows, D]; float16 files are widened exactly. */
    public static Tensor readFs3(Path file) throws IOException {
        var raw = Npy.read(file);
        if (raw.shape().length != 2) throw new CheckpointException(file, "fs3 must be 2-D [rows, clip_dim], got " + java.util.Arrays.toString(raw.shape()));
        return Tensors.fromRawAsFloat(raw);
    }

    /** The S_mean_std pickle ([m, std]) as flat statistics. */
    public static StyleStats readStyleMeanStd(Path file) throws IOException {
        Checkpoint c = CheckpointReader.read(file);
        if (!(c.root() instanceof List<?> top) || top.size() != 2 || !(top.get(0) instanceof List<?>) || !(top.get(1) instanceof List<?>)) {
            throw new CheckpointException(file, "expected StyleCLIP's S_mean_std pickle: a list [means, stds] of per-layer arrays");
        }
        return new StyleStats(concat(file, top.get(0)), concat(file, top.get(1)));
    }

    private static Tensor concat(Path file, Object list) throws CheckpointException {
        Map<String, TensorRef> parts = Checkpoint.tensors(list);
        if (parts.isEmpty()) throw new CheckpointException(file, "no arrays in S_mean_std");
        TensorVector v = new TensorVector();
        for (TensorRef t : parts.values()) v.push_back(Tensors.fromRawAsFloat(t.read()).reshape(-1));
        return torch.cat(v, 0);
    }
}
