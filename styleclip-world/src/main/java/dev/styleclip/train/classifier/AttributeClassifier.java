package dev.styleclip.train.classifier;

import dev.styleclip.tensor.Conv;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A small CNN that predicts several categorical attributes of a [-1, 1] image (64 x 64 in the project's world; any
 * square side works, the features are globally pooled): four blocks of 3x3 conv (stride 2, padding 1, bias) + ReLU
 * with 32, 64, 128, 128 channels (64 -> 32 -> 16 -> 8 -> 4), global average pooling, then one linear head per
 * category giving that category's logits. Weights are float32 tensors requiring gradients (trained by
 * {@link ClassifierTrainer}); convs start with PyTorch's Kaiming-normal (fan_out, ReLU) and zero bias, heads with
 * N(0, 0.01) and zero bias.
 *
 * <p>File: a torch.save zip of {'format': {@value #FORMAT}, 'version': 1, 'categories': [{'name', 'classes'}...],
 * 'state_dict': OrderedDict}, keys {@code convN.weight/bias} and {@code heads.I.weight/bias}; read strictly.
 */
public final class AttributeClassifier implements AutoCloseable {
    public static final String FORMAT = "styleclip-jvm attribute classifier";
    static final int[] CHANNELS = {32, 64, 128, 128};

    /** One attribute: its name and how many classes it has (labels 0 .. classes - 1). */
    public record Category(String name, int classes) {
        public Category {
            if (name == null || name.isBlank() || classes < 2) {
                throw new IllegalArgumentException("a category needs a name and at least 2 classes: " + name + " " + classes);
            }
        }
    }

    /**
     * Per image and category, the most likely class and its softmax probability.
     *
     * @param classes    [N][categories] argmax class
     * @param confidence [N][categories] its probability
     */
    public record Predictions(int[][] classes, float[][] confidence) {
    }

    private final List<Category> categories;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final PointerScope owned;

    private AttributeClassifier(List<Category> categories, Map<String, Supplier<Tensor>> make) {
        this.categories = List.copyOf(categories);
        Engine.init();
        owned = new PointerScope();
        try {
            for (Map.Entry<String, Supplier<Tensor>> e : make.entrySet()) {
                try (PointerScope step = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                    Tensor t = e.getValue().get().clone();
                    owned.attach(t);
                    step.detach(t);
                    t.set_requires_grad(true);
                    params.put(e.getKey(), t);
                }
            }
        } catch (RuntimeException ex) {
            owned.close();
            throw ex;
        }
        owned.extend();
        owned.close();
    }

    /** Parameter shapes in file order. */
    static Map<String, long[]> layout(List<Category> categories) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long in = 3;
        for (int i = 0; i < CHANNELS.length; i++) {
            m.put("conv" + i + ".weight", new long[] {CHANNELS[i], in, 3, 3});
            m.put("conv" + i + ".bias", new long[] {CHANNELS[i]});
            in = CHANNELS[i];
        }
        for (int h = 0; h < categories.size(); h++) {
            m.put("heads." + h + ".weight", new long[] {categories.get(h).classes(), in});
            m.put("heads." + h + ".bias", new long[] {categories.get(h).classes()});
        }
        return m;
    }

    /** Fresh weights after {@code torch.manual_seed(seed)}. */
    public static AttributeClassifier create(List<Category> categories, long seed) {
        if (categories.isEmpty()) throw new IllegalArgumentException("no categories");
        long distinct = categories.stream().map(Category::name).distinct().count();
        if (distinct != categories.size()) throw new IllegalArgumentException("category names must be distinct: " + categories);
        Engine.init();
        torch.manual_seed(seed);
        Map<String, Supplier<Tensor>> make = new LinkedHashMap<>();
        layout(categories).forEach((k, s) -> {
            if (k.endsWith(".bias")) {
                make.put(k, () -> torch.zeros(s));
            } else if (k.startsWith("conv")) {
                double std = Math.sqrt(2.0 / (s[0] * s[2] * s[3])); // kaiming_normal_(mode='fan_out', relu)
                make.put(k, () -> torch.randn(s).mul(new Scalar(std)));
            } else {
                make.put(k, () -> torch.randn(s).mul(new Scalar(0.01)));
            }
        });
        return new AttributeClassifier(categories, make);
    }

    public List<Category> categories() {
        return categories;
    }

    /** The weights (file order); leaves requiring gradients. */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Logits per category, [N, classes_c] each, for images [N, 3, S, S] in [-1, 1]. */
    public List<Tensor> forward(Tensor images) {
        Tensors.checkShape("images", images, -1, 3, -1, -1);
        Tensor x = images;
        for (int i = 0; i < CHANNELS.length; i++) {
            x = Conv.conv2d(x, params.get("conv" + i + ".weight"), params.get("conv" + i + ".bias"),
                    new long[] {2, 2}, new long[] {1, 1}, 1).relu();
        }
        Tensor f = x.mean(new long[] {2, 3}); // [N, 128]
        List<Tensor> out = new ArrayList<>();
        for (int h = 0; h < categories.size(); h++) {
            out.add(torch.linear(f, params.get("heads." + h + ".weight"), new TensorOptional(params.get("heads." + h + ".bias"))));
        }
        return out;
    }

    /** The argmax class and its softmax probability per image and category. */
    public Predictions predict(Tensor images) {
        int n = (int) images.size(0), c = categories.size();
        int[][] classes = new int[n][c];
        float[][] conf = new float[n][c];
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            List<Tensor> logits = forward(images);
            for (int h = 0; h < c; h++) {
                Tensor p = torch.softmax(logits.get(h), 1);
                long[] arg = Tensors.toLongArray(p.argmax(new LongOptional(1), false));
                float[] max = Tensors.toFloatArray(p.amax(new long[] {1}, false));
                for (int i = 0; i < n; i++) {
                    classes[i][h] = (int) arg[i];
                    conf[i][h] = max[i];
                }
            }
        }
        return new Predictions(classes, conf);
    }

    /** Writes the classifier atomically (see the class comment for the layout). */
    public void save(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", 1);
        List<Object> cats = new ArrayList<>();
        for (Category c : categories) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("classes", c.classes());
            cats.add(m);
        }
        root.put("categories", cats);
        Map<String, Object> sd = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            params.forEach((k, t) -> sd.put(k, Tensors.toRaw(t)));
        }
        root.put("state_dict", new TorchWriter.OrderedDict(sd));
        TorchWriter.writeZip(file, root);
    }

    /** Reads a file written by {@link #save}; anything else fails with a one-line reason naming the file. */
    public static AttributeClassifier load(Path file) throws IOException {
        Engine.init();
        Checkpoint ckpt = CheckpointReader.read(file);
        if (!(ckpt.root() instanceof Map<?, ?> root) || !FORMAT.equals(root.get("format"))) {
            throw new CheckpointException(file, "not an attribute classifier written by this tool (no format '" + FORMAT + "')");
        }
        if (!(root.get("version") instanceof Number v) || v.intValue() != 1) {
            throw new CheckpointException(file, "unsupported attribute classifier version " + root.get("version"));
        }
        List<Category> categories = new ArrayList<>();
        try {
            for (Object o : (List<?>) root.get("categories")) {
                Map<?, ?> m = (Map<?, ?>) o;
                categories.add(new Category((String) m.get("name"), ((Number) m.get("classes")).intValue()));
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new CheckpointException(file, "attribute classifier: malformed 'categories' table");
        }
        Map<String, TensorRef> tensors = Checkpoint.tensors(root.get("state_dict"));
        Map<String, long[]> layout = layout(categories);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            TensorRef r = tensors.get(e.getKey());
            if (r == null) problems.add("missing " + e.getKey());
            else if (!Arrays.equals(r.shape(), e.getValue())) problems.add(e.getKey() + " has shape " + Arrays.toString(r.shape())
                    + ", expected " + Arrays.toString(e.getValue()));
        }
        for (String k : tensors.keySet()) if (!layout.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, "attribute classifier does not match its category table: " + String.join(", ", problems));
        }
        Map<String, Supplier<Tensor>> make = new LinkedHashMap<>();
        tensors.forEach((k, r) -> make.put(k, () -> Tensors.fromRawAsFloat(r.read())));
        Map<String, Supplier<Tensor>> ordered = new LinkedHashMap<>();
        layout.keySet().forEach(k -> ordered.put(k, make.get(k)));
        return new AttributeClassifier(categories, ordered);
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
