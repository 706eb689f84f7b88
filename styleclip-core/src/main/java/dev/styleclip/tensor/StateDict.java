package dev.styleclip.tensor;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.TensorRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Strict loading by the reference's dotted keys. A model's constructor {@link #take}s each parameter with
 * its expected shape; {@link #finish} then fails if any key was missing, had the wrong shape, or was
 * never used, listing all of them at once (the opposite of {@code strict=False}).
 */
public final class StateDict {
    private final String source;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, Supplier<Tensor>> loaders = new LinkedHashMap<>();
    private final Set<String> used = new LinkedHashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> wrongShape = new ArrayList<>();

    private StateDict(String source) {
        this.source = source;
    }

    /** Tensors of a checkpoint (read lazily, widened to float32 unless integral). */
    public static StateDict of(String source, Map<String, TensorRef> tensors) {
        StateDict sd = new StateDict(source);
        tensors.forEach((k, ref) -> {
            sd.shapes.put(k, ref.shape());
            sd.loaders.put(k, () -> Tensors.fromRawAsFloat(ref.read()));
        });
        return sd;
    }

    /** Shapes only (a key listing); every taken tensor is zeros. For checking a layout without weights. */
    public static StateDict ofShapes(String source, Map<String, long[]> shapes) {
        StateDict sd = new StateDict(source);
        shapes.forEach((k, s) -> {
            sd.shapes.put(k, s);
            sd.loaders.put(k, () -> torch.zeros(s));
        });
        return sd;
    }

    /** Already-made engine tensors (random weights for benchmarks, a model's own parameters). */
    public static StateDict ofTensors(String source, Map<String, Tensor> tensors) {
        StateDict sd = new StateDict(source);
        tensors.forEach((k, t) -> {
            sd.shapes.put(k, t.shape());
            sd.loaders.put(k, () -> t);
        });
        return sd;
    }

    /**
     * Random weights for whatever the model asks for (benchmarks at published shapes): every taken key is
     * N(0, 1) after {@code torch.manual_seed(seed)}; nothing is missing or unexpected.
     */
    public static StateDict random(String source, long seed) {
        torch.manual_seed(seed);
        return generated(source, (key, shape) -> torch.randn(shape));
    }

    /**
     * Weights made on demand for whatever the model asks for, in the order it takes them (a fresh initialisation):
     * {@code make} gets each key and the shape the model needs; nothing is missing or unexpected.
     */
    public static StateDict generated(String source, BiFunction<String, long[], Tensor> make) {
        StateDict sd = new StateDict(source);
        sd.generator = make;
        return sd;
    }

    /** Makes the tensor of each key taken, or null for a state dict of given tensors. */
    private BiFunction<String, long[], Tensor> generator;

    /** Where the tensors come from, for messages. */
    public String source() {
        return source;
    }

    public boolean contains(String key) {
        return shapes.containsKey(key);
    }

    /** The stored shape of a key, or null. For configuration inference. */
    public long[] shape(String key) {
        long[] s = shapes.get(key);
        return s == null ? null : s.clone();
    }

    public Set<String> keys() {
        return shapes.keySet();
    }

    /** The tensor under {@code key}, which must have {@code shape}; problems are recorded for {@link #finish}. */
    public Tensor take(String key, long... shape) {
        if (generator != null) {
            used.add(key);
            shapes.put(key, shape.clone());
            return generator.apply(key, shape.clone());
        }
        long[] actual = shapes.get(key);
        if (actual == null) {
            missing.add(key + " " + Arrays.toString(shape));
            return torch.zeros(shape);
        }
        used.add(key);
        if (!Arrays.equals(actual, shape)) {
            wrongShape.add(key + ": file has " + Arrays.toString(actual) + ", model needs " + Arrays.toString(shape));
            return torch.zeros(shape);
        }
        return loaders.get(key).get();
    }

    /** Marks keys that the model knows and deliberately ignores (e.g. optional num_batches_tracked). */
    public void ignore(String key) {
        if (shapes.containsKey(key)) used.add(key);
    }

    /** Throws, listing every missing, mis-shaped and unexpected key, unless everything matched. */
    public void finish(String model) throws CheckpointException {
        List<String> unexpected = new ArrayList<>();
        for (String k : shapes.keySet()) if (!used.contains(k)) unexpected.add(k);
        if (missing.isEmpty() && wrongShape.isEmpty() && unexpected.isEmpty()) return;
        StringBuilder sb = new StringBuilder(source + ": does not match a " + model + ":");
        if (!missing.isEmpty()) sb.append(" missing keys ").append(summary(missing)).append(';');
        if (!wrongShape.isEmpty()) sb.append(" wrong shapes ").append(summary(wrongShape)).append(';');
        if (!unexpected.isEmpty()) sb.append(" unexpected keys ").append(summary(unexpected)).append(';');
        throw new CheckpointException(sb.substring(0, sb.length() - 1));
    }

    private static String summary(List<String> items) {
        int show = Math.min(items.size(), 12);
        String s = String.join(", ", items.subList(0, show));
        return "(" + items.size() + ") " + s + (items.size() > show ? ", ..." : "");
    }
}
