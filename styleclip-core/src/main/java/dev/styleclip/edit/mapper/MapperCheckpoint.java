package dev.styleclip.edit.mapper;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A StyleCLIP mapper checkpoint as mapper/training/coach.py writes it: {@code torch.save({'state_dict':
 * StyleCLIPMapper.state_dict(), 'opts': vars(opts)}, path)}. The state dict holds the mapper ({@code mapper.*}) and
 * the whole decoder ({@code decoder.*}); the published mappers (mohawk.pt, afro.pt, ...) have this layout.
 *
 * <p>Reading takes the active levels from the weights present (a level switched off in training has no keys), not
 * from the saved opts, which inference.py itself overwrites. The decoder part may be absent when the caller
 * supplies the generator. Writing reproduces the reference's layout: mapper keys then decoder keys, in module
 * order, with the state dict's {@code _metadata}, and opts as a plain dict.
 *
 * <p>The mapper's width is the decoder's style_dim (512 for FFHQ): a file whose mapper and decoder disagree is an
 * error when its decoder is asked for, and one cannot be written.
 */
public final class MapperCheckpoint {
    private final Path file;
    private final Map<String, TensorRef> mapperTensors;
    private final Map<String, TensorRef> decoderTensors;
    private final Map<String, Object> opts;
    private final Set<MapperLevel> levels;

    private MapperCheckpoint(Path file, Map<String, TensorRef> mapperTensors, Map<String, TensorRef> decoderTensors,
                             Map<String, Object> opts, Set<MapperLevel> levels) {
        this.file = file;
        this.mapperTensors = mapperTensors;
        this.decoderTensors = decoderTensors;
        this.opts = opts;
        this.levels = levels;
    }

    public static MapperCheckpoint read(Path file) throws IOException {
        Checkpoint ckpt = CheckpointReader.read(file);
        Map<?, ?> root = ckpt.rootMap();
        // styleclip_mapper.get_keys: a {'state_dict': ...} dict, or the state dict itself
        Object sd = root.containsKey("state_dict") ? root.get("state_dict") : root;
        Map<String, TensorRef> all = Checkpoint.tensors(sd);
        Map<String, TensorRef> mapper = new LinkedHashMap<>();
        Map<String, TensorRef> decoder = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : all.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MapperLayout.MAPPER_PREFIX)) {
                mapper.put(k.substring(MapperLayout.MAPPER_PREFIX.length()), e.getValue());
            } else if (k.startsWith(MapperLayout.DECODER_PREFIX)) {
                decoder.put(k.substring(MapperLayout.DECODER_PREFIX.length()), e.getValue());
            } else {
                throw new CheckpointException(file, "not a StyleCLIP mapper checkpoint: key '" + k
                        + "' is neither mapper.* nor decoder.*");
            }
        }
        Set<MapperLevel> levels = EnumSet.noneOf(MapperLevel.class);
        for (MapperLevel l : MapperLevel.values()) {
            for (String k : mapper.keySet()) if (k.startsWith(l.attribute + ".")) levels.add(l);
        }
        if (levels.isEmpty()) {
            throw new CheckpointException(file, "not a StyleCLIP LevelsMapper checkpoint: no mapper.course_mapping / "
                    + "medium_mapping / fine_mapping keys" + (mapper.isEmpty() ? "" : " (found " + mapper.keySet().iterator().next() + ")"));
        }
        return new MapperCheckpoint(file, mapper, decoder, opts(file, root.get("opts")), Collections.unmodifiableSet(levels));
    }

    private static Map<String, Object> opts(Path file, Object node) throws CheckpointException {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node == null) return out;
        Map<?, ?> m;
        if (node instanceof Map<?, ?> map) {
            m = map;
        } else if ("argparse.Namespace".equals(Checkpoint.className(node))) {
            m = Checkpoint.attributes(node);
        } else {
            throw new CheckpointException(file, "'opts' is neither a dict nor an argparse.Namespace");
        }
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    public Path file() {
        return file;
    }

    /** The levels whose weights the file holds. */
    public Set<MapperLevel> levels() {
        return levels;
    }

    /** The saved {@code opts}, as stored. */
    public Map<String, Object> opts() {
        return Collections.unmodifiableMap(opts);
    }

    /** The mapper's tensors (keys without {@code mapper.}). */
    public Map<String, TensorRef> mapperTensors() {
        return Collections.unmodifiableMap(mapperTensors);
    }

    public boolean hasDecoder() {
        return !decoderTensors.isEmpty();
    }

    /** The mapper with every level the file holds. */
    public LevelsMapper mapper() throws CheckpointException {
        return mapper(levels);
    }

    /**
     * The mapper with {@code active} levels (a subset of {@link #levels()}: the reference's --no_*_mapper flags);
     * a level the file does not hold is an error naming its missing keys.
     */
    public LevelsMapper mapper(Set<MapperLevel> active) throws CheckpointException {
        return new LevelsMapper(StateDict.of(file.getFileName().toString(), mapperTensors), active);
    }

    /**
     * The mapper's width as its weights give it (the first layer's weight of the first level): the style_dim of the
     * generator it fits. {@link #mapper} checks that every level agrees.
     */
    public int width() {
        for (MapperLevel l : levels) {
            TensorRef t = mapperTensors.get(Mapper.weightKey(l.attribute + ".", 0));
            if (t != null && t.shape().length >= 1) return Math.toIntExact(t.shape()[0]);
        }
        return Mapper.DEFAULT_WIDTH;
    }

    /**
     * The embedded decoder; fails if the file has none (pass the generator checkpoint instead), or if its style_dim
     * is not the mapper's width.
     */
    public DecoderWeights decoder() throws CheckpointException {
        if (decoderTensors.isEmpty()) {
            throw new CheckpointException(file, "the checkpoint has no decoder.* weights: give the generator checkpoint");
        }
        DecoderWeights d = DecoderWeights.of(decoderTensors, null, file.getFileName().toString());
        if (d.config().styleDim() != width()) {
            throw new CheckpointException(file, LevelsMapper.widthMismatch(width(), d.config().styleDim(), "decoder.* of this file"));
        }
        return d;
    }

    /**
     * Writes {@code {'state_dict': OrderedDict(mapper.* then decoder.*), 'opts': opts}} as torch.save's zip
     * archive (atomically), readable by the reference's {@code torch.load} and by {@link #read}. The mapper's width
     * must be the decoder's style_dim.
     */
    public static void write(Path file, LevelsMapper mapper, DecoderWeights decoder, Map<String, Object> opts) throws IOException {
        mapper.requireStyleDim(decoder.config().styleDim(), decoder.source());
        Map<String, Object> sd = new LinkedHashMap<>();
        mapper.stateDict().forEach((k, t) -> sd.put(MapperLayout.MAPPER_PREFIX + k, t));
        decoder.tensors().forEach((k, t) -> sd.put(MapperLayout.DECODER_PREFIX + k, t));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", new TorchWriter.OrderedDict(sd, MapperLayout.metadata(mapper.levels(), decoder.config())));
        root.put("opts", new LinkedHashMap<>(opts));
        TorchWriter.writeZip(file, root);
    }

    /**
     * Writes the mapper alone: {@code {'state_dict': OrderedDict(mapper.*), 'opts': opts}}, which {@link #read}
     * reads like a full checkpoint minus its decoder (the reader then supplies the generator). A few hundred KB
     * where the decoder would add the whole generator: the form the bundled mappers ship in.
     */
    public static void writeWithoutDecoder(Path file, LevelsMapper mapper, Map<String, Object> opts) throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        mapper.stateDict().forEach((k, t) -> sd.put(MapperLayout.MAPPER_PREFIX + k, t));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", new TorchWriter.OrderedDict(sd));
        root.put("opts", new LinkedHashMap<>(opts));
        TorchWriter.writeZip(file, root);
    }
}
