package dev.styleclip.invert.encoder;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The encoder file: a torch.save zip archive (readable by Python's {@code torch.load}) holding
 * <pre>
 *   {'state_dict':       OrderedDict of Encoder4Editing's parameters and BatchNorm running statistics (e4e's keys),
 *    'config':           the {@link EncoderConfig} as a plain dict (size, style_dim, n_latent, input_size, stem_width,
 *                        stage_depths, stage_units, coarse_ind, middle_ind),
 *    'latent_avg':       the generator's mean latent repeated over the rows, [n_latent, style_dim] (e4e's shape),
 *    'generator_sha256': the SHA-256 of the generator file it was trained on (None when it had none),
 *    'training':         how it was trained (a plain dict of the trainer's options and steps done; may be absent)}
 * </pre>
 * Reading is strict: every weight the config asks for must be there with its shape, and nothing else; a failure lists
 * the missing, mis-shaped and unexpected keys. An encoder only fits generators of its style_dim and number of W+ rows
 * ({@link #requireFits}).
 */
public final class EncoderCheckpoint {
    private final Path file;
    private final EncoderConfig config;
    private final Map<String, TensorRef> stateDict;
    private final TensorRef latentAvg;
    private final String generatorSha256;
    private final Map<String, Object> training;

    private EncoderCheckpoint(Path file, EncoderConfig config, Map<String, TensorRef> stateDict, TensorRef latentAvg,
                              String generatorSha256, Map<String, Object> training) {
        this.file = file;
        this.config = config;
        this.stateDict = stateDict;
        this.latentAvg = latentAvg;
        this.generatorSha256 = generatorSha256;
        this.training = training;
    }

    /** Reads the file's config, hash and tensor index (the weights themselves are read by {@link #encoder}). */
    public static EncoderCheckpoint read(Path file) throws IOException {
        Map<?, ?> root = CheckpointReader.read(file).rootMap();
        for (String k : new String[] {"state_dict", "config", "latent_avg"}) {
            if (!root.containsKey(k)) {
                throw new CheckpointException(file, "not an encoder file (no '" + k + "'; `styleclip encoder train` writes "
                        + "{'state_dict', 'config', 'latent_avg', 'generator_sha256'})");
            }
        }
        String name = name(file);
        if (!(root.get("config") instanceof Map<?, ?> cfg)) throw new CheckpointException(file, "the encoder's 'config' is not a dict");
        EncoderConfig config = EncoderConfig.fromMap(cfg, name);
        if (!(root.get("latent_avg") instanceof TensorRef avg)) throw new CheckpointException(file, "the encoder's 'latent_avg' is not a tensor");
        long[] s = avg.shape();
        boolean fits = s.length >= 1 && s.length <= 2 && s[s.length - 1] == config.styleDim() && (s.length == 1 || s[0] == 1 || s[0] == config.nLatent());
        if (!fits) {
            throw new CheckpointException(file, "latent_avg has shape " + Arrays.toString(s) + ", not [" + config.nLatent() + ", "
                    + config.styleDim() + "] (or [" + config.styleDim() + "])");
        }
        Object sha = root.get("generator_sha256");
        Map<String, Object> training = new LinkedHashMap<>();
        if (root.get("training") instanceof Map<?, ?> t) t.forEach((k, v) -> training.put(String.valueOf(k), v));
        return new EncoderCheckpoint(file, config, Checkpoint.tensors(root.get("state_dict")), avg, sha == null ? null : String.valueOf(sha),
                Collections.unmodifiableMap(training));
    }

    /**
     * Writes an encoder file (atomically).
     *
     * @param latentAvg       the generator's mean latent, [1, style_dim], [style_dim] or [n_latent, style_dim]
     * @param generatorSha256 the generator file's SHA-256, or null
     * @param training        provenance: the trainer's options and steps done (a plain dict), or null
     */
    public static void write(Path file, Encoder4Editing net, Tensor latentAvg, String generatorSha256, Map<String, Object> training)
            throws IOException {
        EncoderConfig c = net.config();
        Map<String, Object> root = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            root.put("state_dict", new TorchWriter.OrderedDict(net.stateDict()));
            root.put("config", c.toMap());
            root.put("latent_avg", Tensors.toRaw(rows(latentAvg, c, "latent_avg")));
        }
        root.put("generator_sha256", generatorSha256);
        if (training != null) root.put("training", new LinkedHashMap<>(training));
        TorchWriter.writeZip(file, root);
    }

    /** The mean latent as [n_latent, style_dim]. */
    static Tensor rows(Tensor latentAvg, EncoderConfig c, String what) {
        Tensor avg = latentAvg.detach().reshape(-1, c.styleDim()); // [1 or n_latent, D]
        if (avg.size(0) == 1) avg = avg.expand(c.nLatent(), c.styleDim()).contiguous();
        Tensors.checkShape(what, avg, c.nLatent(), c.styleDim());
        return avg;
    }

    public Path file() {
        return file;
    }

    public EncoderConfig config() {
        return config;
    }

    /** The SHA-256 of the generator the encoder was trained on, or null. */
    public String generatorSha256() {
        return generatorSha256;
    }

    /** How it was trained (options, steps done), as stored; empty when the file does not say. */
    public Map<String, Object> training() {
        return training;
    }

    /** The weights by key, as stored (read lazily). */
    public Map<String, TensorRef> stateDict() {
        return Collections.unmodifiableMap(stateDict);
    }

    /**
     * Fails unless the encoder fits a generator of {@code g}'s style_dim and number of W+ rows; the message names this
     * file and {@code generator} (the generator's file name, say) with both shapes.
     */
    public void requireFits(GeneratorConfig g, String generator) throws CheckpointException {
        String problem = mismatch(config, g, generator);
        if (problem != null) throw new CheckpointException(file, problem);
    }

    /** The message for an encoder of {@code c} meeting generator {@code g} (named {@code generator}), or null when it fits. */
    static String mismatch(EncoderConfig c, GeneratorConfig g, String generator) {
        if (c.styleDim() == g.styleDim() && c.nLatent() == g.nLatent()) return null;
        return "the encoder was trained for a generator of style_dim " + c.styleDim() + " with " + c.nLatent() + " W+ rows ("
                + c.size() + " px), but " + (generator == null ? "the generator" : generator) + " has style_dim " + g.styleDim()
                + " and " + g.nLatent() + " W+ rows (" + g.size() + " px): an encoder only inverts generators of its shape";
    }

    /** Builds the encoder, strictly (see the class comment). */
    public Encoder encoder() throws CheckpointException {
        Encoder4Editing net = new Encoder4Editing(StateDict.of(name(file), stateDict), config);
        try (PointerScope scope = new PointerScope()) {
            Tensor avg = rows(Tensors.fromRawAsFloat(latentAvg.read()), config, name(file) + " latent_avg");
            return new Encoder(net, avg, generatorSha256, name(file));
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private static String name(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }
}
