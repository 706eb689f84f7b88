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
 * StyleCLIP's latent mapper: {@code LevelsMapper} in mapper/latent_mappers.py. W+ [B, L, W] is split into
 * coarse (rows 0-3), medium (4-7) and fine (8 and up) parts; each active level goes through its own
 * {@link Mapper}, a switched-off level gives zeros. The edit is {@code w + 0.1 * M(w)} ({@link #edit}).
 *
 * <p>The width W is the generator's style_dim (512 for FFHQ); it is taken from the weights, and a mapper only fits
 * a generator of the same style_dim ({@link #requireStyleDim}).
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
    private final int width;

    /**
     * Builds the mapper for {@code levels} from {@code sd} (keys as in LevelsMapper.state_dict()). Keys of levels
     * not asked for are ignored (the reference's {@code --no_fine_mapper} on a checkpoint that has one); any other
     * missing, mis-shaped or unknown key is an error. The width is the weights' (every active level must have the
     * same); weights that give none (random or missing ones) are taken at {@link Mapper#DEFAULT_WIDTH}.
     */
    public LevelsMapper(StateDict sd, Set<MapperLevel> levels) throws CheckpointException {
        Engine.init();
        if (levels.isEmpty()) throw new IllegalArgumentException("a mapper needs at least one active level");
        this.width = width(sd, levels);
        this.weights = new PointerScope();
        try {
            for (MapperLevel level : MapperLevel.values()) {
                if (levels.contains(level)) {
                    mappers.put(level, new Mapper(sd, level.attribute + ".", width));
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

    /** The width the weights give, the same for every active level; {@link Mapper#DEFAULT_WIDTH} if they give none. */
    private static int width(StateDict sd, Set<MapperLevel> levels) throws CheckpointException {
        Map<MapperLevel, Integer> widths = new EnumMap<>(MapperLevel.class);
        for (MapperLevel level : MapperLevel.values()) {
            if (!levels.contains(level)) continue;
            int w = Mapper.widthOf(sd, level.attribute + ".");
            if (w > 0) widths.put(level, w);
        }
        if (widths.isEmpty()) return Mapper.DEFAULT_WIDTH;
        if (widths.values().stream().distinct().count() > 1) {
            StringBuilder sb = new StringBuilder();
            widths.forEach((l, w) -> {
                String key = Mapper.weightKey(l.attribute + ".", 0);
                long[] shape = sd.shape(key);
                if (shape == null) shape = sd.shape(key = Mapper.biasKey(l.attribute + ".", 0));
                sb.append(sb.length() == 0 ? "" : ", ").append(l.label()).append(' ').append(w)
                        .append(" (").append(key).append(' ').append(java.util.Arrays.toString(shape)).append(')');
            });
            throw new CheckpointException(sd.source() + ": the mapper's levels differ in width: " + sb
                    + "; every level must have the same width, the generator's style_dim");
        }
        return widths.values().iterator().next();
    }

    /**
     * A new mapper of width {@link Mapper#DEFAULT_WIDTH} (512, FFHQ's style_dim) initialised as the reference does
     * under {@code torch.manual_seed(seed)}: see {@link #initialize(Set, long, int)}.
     */
    public static LevelsMapper initialize(Set<MapperLevel> levels, long seed) throws CheckpointException {
        return initialize(levels, seed, Mapper.DEFAULT_WIDTH);
    }

    /**
     * A new mapper of {@code width} (the generator's style_dim, 512 for FFHQ) initialised as the reference does
     * under {@code torch.manual_seed(seed)}: for each active level in order, each EqualLinear weight is
     * {@code randn(width, width) / lr_mul}, each bias zero.
     */
    public static LevelsMapper initialize(Set<MapperLevel> levels, long seed, int width) throws CheckpointException {
        if (width < 1) throw new IllegalArgumentException("mapper width must be >= 1, got " + width);
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            Map<String, Tensor> init = new LinkedHashMap<>();
            for (MapperLevel level : MapperLevel.values()) {
                if (!levels.contains(level)) continue;
                for (int i = 0; i < Mapper.DEPTH; i++) {
                    init.put(Mapper.weightKey(level.attribute + ".", i),
                            torch.randn(width, width).div(new Scalar(Mapper.LR_MUL)));
                    init.put(Mapper.biasKey(level.attribute + ".", i), torch.zeros(width));
                }
            }
            return new LevelsMapper(StateDict.ofTensors("initial mapper (seed " + seed + ")", init), levels);
        }
    }

    /** The width W of the latents it maps, [B, L, W]: the style_dim of the generator it was trained for. */
    public int width() {
        return width;
    }

    /**
     * Fails unless this mapper fits a generator of {@code styleDim}: a mapper works only on the W+ codes of a
     * generator whose style_dim is its width. {@code generator} names the generator in the message.
     */
    public void requireStyleDim(int styleDim, String generator) {
        if (styleDim != width) throw new IllegalArgumentException(widthMismatch(width, styleDim, generator));
    }

    /** The message for a mapper of {@code mapperWidth} meeting a generator of {@code styleDim} (named {@code generator}). */
    public static String widthMismatch(int mapperWidth, int styleDim, String generator) {
        return "the mapper is " + mapperWidth + " wide, but the generator" + (generator == null ? "" : " (" + generator + ")")
                + " has style_dim " + styleDim + ": a mapper only fits a generator whose style_dim is its width";
    }

    /** The active levels. */
    public Set<MapperLevel> levels() {
        return mappers.isEmpty() ? EnumSet.noneOf(MapperLevel.class) : Collections.unmodifiableSet(EnumSet.copyOf(mappers.keySet()));
    }

    /**
     * The residual direction M(w).
     *
     * @param w W+ [B, L, W], W the mapper's {@link #width()}
     * @return [B, L, W]; the rows of a switched-off level are exactly 0
     */
    public Tensor forward(Tensor w) {
        Tensors.checkShape("W+ latent", w, -1, -1, -1);
        if (w.size(2) != width) {
            throw new IllegalArgumentException("W+ latent has shape " + Tensors.shapeString(w) + ", i.e. width " + w.size(2)
                    + ", but the mapper is " + width + " wide (latents and mapper must share the generator's style_dim)");
        }
        int nLatent = (int) w.size(1);
        TensorVector parts = new TensorVector();
        for (MapperLevel level : MapperLevel.values()) {
            int first = Math.min(level.firstRow, nLatent);
            Tensor rows = w.narrow(1, first, level.rows(nLatent)); // [B, R, W]
            Mapper m = mappers.get(level);
            parts.push_back(m != null ? m.forward(rows) : torch.zeros_like(rows));
        }
        return torch.cat(parts, 1); // [B, L, W]
    }

    /** The edited latent {@code w + 0.1 * M(w)}, [B, L, W]. */
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
