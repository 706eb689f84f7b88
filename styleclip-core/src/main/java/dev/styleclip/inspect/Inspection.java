package dev.styleclip.inspect;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.FileFormat;
import dev.styleclip.io.TensorRef;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a file is: its format, the model family its keys say it is, the configuration inferred from the
 * shapes, and the tensor count and size. Reads no tensor data, so it is quick on large checkpoints.
 *
 * @param details inferred configuration lines ("size=1024 style_dim=512 ...")
 */
public record Inspection(Path file, FileFormat format, ModelFamily family, List<String> details, int tensorCount,
                         long valueCount, long byteCount) {

    public static Inspection of(Path file) throws IOException {
        Checkpoint c = CheckpointReader.read(file);
        Map<String, TensorRef> all = Checkpoint.tensors(c.root());
        long values = 0;
        long bytes = 0;
        for (TensorRef t : all.values()) {
            values += t.numel();
            bytes += t.numel() * t.dtype().bytes;
        }
        List<String> details = new ArrayList<>();
        ModelFamily family = classify(c, details);
        return new Inspection(file, c.format(), family, details, all.size(), values, bytes);
    }

    private static ModelFamily classify(Checkpoint c, List<String> details) throws CheckpointException {
        Object root = c.root();
        if (root instanceof TensorRef t) {
            details.add("shape=" + Arrays.toString(t.shape()) + " dtype=" + t.dtype());
            return ModelFamily.TENSOR;
        }
        Map<?, ?> map = root instanceof Map<?, ?> m ? m : null;
        if (map != null && map.get("state_dict") instanceof Map<?, ?> sd && map.containsKey("opts")
                && Checkpoint.tensors(sd).keySet().stream().anyMatch(k -> k.startsWith("mapper."))) {
            details.add("levels: " + mapperLevels(Checkpoint.tensors(sd)));
            Map<String, TensorRef> decoder = sub(Checkpoint.tensors(sd), "decoder.");
            if (!decoder.isEmpty()) details.add("decoder: " + GeneratorConfig.infer(StateDict.of("decoder", decoder), c.file().toString()));
            return ModelFamily.STYLECLIP_MAPPER;
        }
        Object g = map != null && map.containsKey("g_ema") ? map.get("g_ema") : root;
        Map<String, TensorRef> tensors = Checkpoint.tensors(g);
        if (tensors.containsKey("style.1.weight") && tensors.containsKey("input.input")) {
            GeneratorConfig cfg = GeneratorConfig.infer(StateDict.of(c.file().toString(), tensors), c.file().toString());
            details.add(cfg.toString());
            if (map != null && map.containsKey("g")) details.add("layout: rosinality training checkpoint (g_ema used)");
            else if (map != null && map.containsKey("g_ema")) details.add("layout: {'g_ema', 'latent_avg'}");
            details.add("latent_avg: " + (map != null && map.get("latent_avg") instanceof TensorRef ? "stored" : "absent (seeded mean of 4096 w used)"));
            return ModelFamily.STYLEGAN2_GENERATOR;
        }
        Map<String, TensorRef> all = Checkpoint.tensors(root);
        if (all.containsKey("visual.conv1.weight") || all.containsKey("token_embedding.weight")) {
            details.add(clipSummary(all));
            return ModelFamily.CLIP;
        }
        if (all.containsKey("input_layer.0.weight") && all.keySet().stream().anyMatch(k -> k.startsWith("body."))) {
            long units = all.keySet().stream().filter(k -> k.matches("body\\.\\d+\\.res_layer\\.0\\.weight")).count();
            details.add("units=" + units + " embedding=" + all.get("output_layer.4.weight").shape()[0]);
            return ModelFamily.IR_SE50;
        }
        return ModelFamily.UNKNOWN;
    }

    private static Map<String, TensorRef> sub(Map<String, TensorRef> all, String prefix) {
        Map<String, TensorRef> out = new java.util.LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    private static String mapperLevels(Map<String, TensorRef> sd) {
        List<String> levels = new ArrayList<>();
        for (String l : new String[] {"course", "medium", "fine"}) {
            if (sd.keySet().stream().anyMatch(k -> k.startsWith("mapper." + l + "_mapping."))) levels.add(l.equals("course") ? "coarse" : l);
        }
        return String.join(", ", levels);
    }

    private static String clipSummary(Map<String, TensorRef> all) {
        StringBuilder sb = new StringBuilder();
        TensorRef conv1 = all.get("visual.conv1.weight");
        if (conv1 != null) {
            long[] s = conv1.shape();
            long visionLayers = all.keySet().stream().filter(k -> k.matches("visual\\.transformer\\.resblocks\\.\\d+\\.attn\\.in_proj_weight")).count();
            long pos = all.get("visual.positional_embedding").shape()[0];
            long grid = Math.round(Math.sqrt(pos - 1));
            sb.append("vision: ViT width=").append(s[0]).append(" layers=").append(visionLayers).append(" patch=").append(s[2])
                    .append(" resolution=").append(s[2] * grid).append("; ");
        }
        TensorRef tok = all.get("token_embedding.weight");
        if (tok != null) {
            long textLayers = all.keySet().stream().filter(k -> k.matches("transformer\\.resblocks\\.\\d+\\.attn\\.in_proj_weight")).count();
            sb.append("text: width=").append(tok.shape()[1]).append(" layers=").append(textLayers).append(" vocab=").append(tok.shape()[0]);
        }
        TensorRef proj = all.get("text_projection");
        if (proj != null) sb.append("; embed_dim=").append(proj.shape()[1]);
        return sb.toString();
    }
}
