package dev.styleclip;

import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A latent as the Java API hands it out and takes it back: its values on the Java heap (nothing native to free), its
 * layout, and where it came from (a seed and truncation, a file and its SHA-256, an edit), which every edit of it
 * carries into its provenance.
 *
 * @param values float32 values in C order
 * @param shape  W+ [N, n_latent, style_dim] or flat S [N, sum C]
 * @param space  which of the two
 * @param origin provenance fields, e.g. {@code seed=8, truncation=1.0}
 */
public record Latent(float[] values, long[] shape, Space space, Map<String, Object> origin) {
    /** The spaces an edit's latent lives in: W+ (optimization, mapper) or StyleGAN2's style space S (global directions). */
    public enum Space { W_PLUS, S }

    public Latent {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException("a latent of shape " + Arrays.toString(shape) + " has " + n + " values, not " + values.length);
        int bad = 0;
        for (float v : values) if (!Float.isFinite(v)) bad++;
        if (bad > 0) throw new IllegalArgumentException("the latent holds " + bad + " non-finite values (NaN or infinity); a latent must be finite");
        if (space == Space.W_PLUS && shape.length != 3) throw new IllegalArgumentException("a W+ latent is [N, n_latent, style_dim], not " + Arrays.toString(shape));
        if (space == Space.S && shape.length != 2) throw new IllegalArgumentException("flat S codes are [N, sum C], not " + Arrays.toString(shape));
        origin = Collections.unmodifiableMap(new LinkedHashMap<>(origin));
    }

    /** Copies a tensor's values (any scope) into a latent. */
    static Latent of(Tensor t, Space space, Map<String, Object> origin) {
        return new Latent(Tensors.toFloatArray(t), t.shape(), space, origin);
    }

    /** A new native tensor of these values, in the caller's scope. */
    Tensor tensor() {
        return Tensors.floats(values, shape);
    }

    /** How many latents this holds. */
    public int count() {
        return (int) shape[0];
    }

    /** Writes the latent as a float32 {@code .npy} (every command's {@code --latent} reads it). */
    public void save(Path file) throws IOException {
        Npy.write(file, RawTensor.ofFloats(values, shape));
    }

    @Override
    public String toString() {
        return "Latent" + Arrays.toString(shape) + " " + space + " " + origin;
    }
}
