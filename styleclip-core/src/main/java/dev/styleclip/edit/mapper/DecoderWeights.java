package dev.styleclip.edit.mapper;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The decoder of a StyleCLIPMapper as file tensors (rosinality layout, keys without {@code decoder.}): what a
 * mapper checkpoint embeds, or a generator checkpoint's {@code g_ema}. Kept as file tensors (read lazily) so that
 * a checkpoint can carry them on unchanged; {@link #generator()} builds the engine model.
 *
 * @param tensors   the generator's tensors in the reference's state-dict order
 * @param config    the configuration inferred from them
 * @param latentAvg the file's {@code latent_avg} (a converted FFHQ checkpoint has one; a mapper checkpoint not)
 * @param source    where they came from, for messages
 */
public record DecoderWeights(Map<String, TensorRef> tensors, GeneratorConfig config, TensorRef latentAvg, String source) {

    /**
     * Takes the tensors of a generator state dict, checks that they are exactly a rosinality Generator's (no key
     * missing or unexpected, every shape right) and puts them in the reference's order.
     */
    public static DecoderWeights of(Map<String, TensorRef> tensors, TensorRef latentAvg, String source) throws CheckpointException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, t) -> shapes.put(k, t.shape()));
        GeneratorConfig cfg = GeneratorConfig.infer(StateDict.ofShapes(source, shapes), source);
        Map<String, long[]> layout = MapperLayout.decoderKeys(cfg);
        List<String> problems = new ArrayList<>();
        Map<String, TensorRef> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            TensorRef t = tensors.get(e.getKey());
            if (t == null) {
                problems.add("missing " + e.getKey());
            } else if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                problems.add(e.getKey() + " has shape " + java.util.Arrays.toString(t.shape()));
            } else {
                ordered.put(e.getKey(), t);
            }
        }
        for (String k : tensors.keySet()) if (!layout.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty()) {
            int show = Math.min(problems.size(), 12);
            throw new CheckpointException(source + ": not a StyleGAN2 generator of " + cfg + ": " + problems.size()
                    + " problem(s): " + String.join(", ", problems.subList(0, show)) + (problems.size() > show ? ", ..." : ""));
        }
        return new DecoderWeights(java.util.Collections.unmodifiableMap(ordered), cfg, latentAvg, source);
    }

    /**
     * The generator of a StyleGAN2 checkpoint: {@code {'g_ema', 'latent_avg'}} (converted FFHQ, what StyleCLIP's
     * --stylegan_weights names), rosinality's training dict (g_ema is taken), or a bare state dict.
     */
    public static DecoderWeights fromGeneratorFile(Path file) throws IOException {
        Checkpoint ckpt = CheckpointReader.read(file);
        Map<?, ?> root = ckpt.rootMap();
        Object g = root.containsKey("g_ema") ? root.get("g_ema") : root;
        TensorRef avg = root.get("latent_avg") instanceof TensorRef t ? t : null;
        Map<String, TensorRef> tensors = Checkpoint.tensors(g);
        if (avg != null && g == root) tensors.remove("latent_avg");
        return of(tensors, avg, file.getFileName().toString());
    }

    /** The engine generator (truncation centre: the file's latent_avg, else the seeded mean latent). */
    public Generator generator() throws CheckpointException {
        Tensor avg = latentAvg == null ? null : Tensors.fromRawAsFloat(latentAvg.read());
        return Generator.fromStateDict(StateDict.of(source, tensors), avg, source);
    }
}
