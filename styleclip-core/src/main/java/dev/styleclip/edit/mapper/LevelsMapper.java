package dev.styleclip.edit.mapper;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.RawTensor;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * StyleCLIP's latent mapper: {@code LevelsMapper} in mapper/latent_mappers.py. W+ [B, L, 512] is split into
 * coarse (rows 0-3), medium (4-7) and fine (8 and up) parts; each active level goes through its own
 * {@link Mapper}, a switched-off level gives zeros. The edit is {@code w + 0.1 * M(w)} ({@link #edit}).
 *
 * <p>State-dict keys are the reference's, without the {@code mapper.} prefix that StyleCLIPMapper adds:
 * {@code course_mapping.mapping.1.weight}, ... A level that is switched off has no keys. Parameters are native
 * tensors owned by this object; {@link #close()} frees them.
 */
public final class LevelsMapper implements AutoCloseable {
    /** The residual's scale in the edit, {@code w_hat = w + 0.1 * mapper(w)} (coach.py, inference.py). */
    public static final double STRENGTH = 0.1;

    private final Map<MapperLevel, Mapper> mappers = new EnumMap<>(MapperLevel.class);
    private final PointerScope weights;

    /**
     * Builds the mapper for {@code levels} from {@code sd} (keys as in LevelsMapper.state_dict()). Keys of levels
     * not asked for are ignored (the reference's {@code --no_fine_mapper} on a checkpoint that has one); any other
     * missing, mis-shaped or unknown key is an error.
     */
    public LevelsMapper(StateDict sd, Set<MapperLevel> levels) throws CheckpointException {
        Engine.init();
        if (levels.isEmpty()) throw new IllegalArgumentException("a mapper needs at least one active level");
        this.weights = new PointerScope();
        try {
            for (MapperLevel level : MapperLevel.values()) {
                if (levels.contains(level)) {
                    mappers.put(level, new Mapper(sd, level.attribute + "."));
                } else {
                    for (String k : sd.keys()) if (k.startsWith(level.attribute + ".")) sd.ignore(k);
                }
            }
            sd.finish("LevelsMapper (" + labels(levels) + ")");
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
        weights.extend(); // keep the scope open: it owns the parameters until close()
        weights.close();
    }

    /**
     * A new mapper initialised as the reference does under {@code torch.manual_seed(seed)}: for each active level
     * in order, each EqualLinear weight is {@code randn(512, 512) / lr_mul}, each bias zero.
     */
    public static LevelsMapper initialize(Set<MapperLevel> levels, long seed) throws CheckpointException {
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            Map<String, Tensor> init = new LinkedHashMap<>();
            for (MapperLevel level : MapperLevel.values()) {
                if (!levels.contains(level)) continue;
                for (int i = 0; i < Mapper.DEPTH; i++) {
                    init.put(Mapper.weightKey(level.attribute + ".", i),
                            torch.randn(Mapper.WIDTH, Mapper.WIDTH).div(new Scalar(Mapper.LR_MUL)));
                    init.put(Mapper.biasKey(level.attribute + ".", i), torch.zeros(Mapper.WIDTH));
                }
            }
            return new LevelsMapper(StateDict.ofTensors("initial mapper (seed " + seed + ")", init), levels);
        }
    }

    /** The active levels. */
    public Set<MapperLevel> levels() {
        return mappers.isEmpty() ? EnumSet.noneOf(MapperLevel.class) : Collections.unmodifiableSet(EnumSet.copyOf(mappers.keySet()));
    }

    /**
     * The residual direction M(w).
     *
     * @param w W+ [B, L, 512]
     * @return [B, L, 512]; the rows of a switched-off level are exactly 0
     */
    public Tensor forward(Tensor w) {
        Tensors.checkShape("W+ latent", w, -1, -1, Mapper.WIDTH);
        int nLatent = (int) w.size(1);
        TensorVector parts = new TensorVector();
        for (MapperLevel level : MapperLevel.values()) {
            int first = Math.min(level.firstRow, nLatent);
            Tensor rows = w.narrow(1, first, level.rows(nLatent)); // [B, R, 512]
            Mapper m = mappers.get(level);
            parts.push_back(m != null ? m.forward(rows) : torch.zeros_like(rows));
        }
        return torch.cat(parts, 1); // [B, L, 512]
    }

    /** The edited latent {@code w + 0.1 * M(w)}, [B, L, 512]. */
    public Tensor edit(Tensor w) {
        return w.add(forward(w).mul(new Scalar(STRENGTH)));
    }

    /**
     * The parameters in {@code named_parameters()} order (course, medium, fine; per layer weight then bias), keyed
     * as in the state dict. These are the live tensors: an optimizer updates them in place.
     */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Mapper m : mappers.values()) out.putAll(m.parameters());
        return out;
    }

    /** A copy of the weights as {@code LevelsMapper.state_dict()} orders them, for writing. */
    public Map<String, RawTensor> stateDict() {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            parameters().forEach((k, t) -> out.put(k, Tensors.toRaw(t)));
        }
        return out;
    }

    /** Overwrites every parameter with the tensor of the same key in {@code values} (resuming a run). */
    public void load(Map<String, Tensor> values) {
        Map<String, Tensor> params = parameters();
        if (!values.keySet().equals(params.keySet())) {
            throw new IllegalArgumentException("mapper parameters differ: have " + params.keySet() + ", got " + values.keySet());
        }
        try (PointerScope scope = new PointerScope(); var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            params.forEach((k, p) -> {
                Tensors.checkShape(k, values.get(k), p.shape());
                p.copy_(values.get(k));
            });
        }
    }

    static String labels(Set<MapperLevel> levels) {
        StringBuilder sb = new StringBuilder();
        for (MapperLevel l : MapperLevel.values()) if (levels.contains(l)) sb.append(sb.length() == 0 ? "" : ", ").append(l.label());
        return sb.toString();
    }

    @Override
    public void close() {
        weights.deallocate();
    }
}
