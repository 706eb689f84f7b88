package dev.styleclip.invert.encoder;

import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.GeneratorConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The shape of an {@link Encoder4Editing}: what e4e's {@code Encoder4Editing(num_layers, mode='ir_se', opts)} builds
 * from {@code get_blocks(num_layers)} and {@code opts.stylegan_size} (omertov/encoder4editing,
 * models/encoders/psp_encoders.py and helpers.py), made a record so that one network class serves every generator.
 * The body is four stages of {@code bottleneck_IR_SE} units, each stage starting with a stride-2 unit; the feature
 * pyramid taps the ends of stages 1, 2 and 3 (e4e's body indices 6, 20, 23: c1, c2, c3), and its width is the last
 * stage's depth.
 *
 * <p>{@link #forGenerator} sizes it: a generator of style_dim 512 (FFHQ) gets e4e's own IR-SE50 body, so that at
 * 1024 px the network is e4e's encoder key for key; a smaller generator gets e4e's shape narrowed in proportion to its
 * style_dim (never under {@link #MIN_WIDTH} channels) and fewer units per stage.
 *
 * <p>The encoder file stores this record as a plain dict ({@link #toMap}); every weight's shape is then checked
 * against it when the file is read, so the two cannot disagree unnoticed.
 *
 * @param size      the resolution of the generator the encoder inverts (a power of two, 16 or more); its W+ has
 *                  {@code 2 * log2(size) - 2} rows ({@link #nLatent()})
 * @param styleDim  the generator's style_dim: the width of each W+ row, of the style heads and of their EqualLinear
 * @param inputSize the side of the images the network reads: the generator's size, or 256 above it (e4e reads
 *                  256 px for the 1024 px FFHQ generator)
 * @param stemWidth channels of {@code input_layer} (64 in e4e)
 * @param stages    the four stages of the body, in order (e4e: 64 x 3, 128 x 4, 256 x 14, 512 x 3)
 */
public record EncoderConfig(int size, int styleDim, int inputSize, int stemWidth, List<Stage> stages) {
    /** e4e's {@code coarse_ind}: W+ rows below it read the coarse features c3. */
    public static final int COARSE_END = 3;
    /** e4e's {@code middle_ind}: rows from {@link #COARSE_END} below it read p2, the rest p1. */
    public static final int MEDIUM_END = 7;
    /** The largest input side: e4e resizes every image to 256 px. */
    public static final int MAX_INPUT = 256;
    /** The narrowest stage: SEModule's reduction of 16 leaves it 2 hidden channels. */
    public static final int MIN_WIDTH = 32;
    /** Stages of the body; the pyramid taps the ends of stages 1, 2 and 3. */
    public static final int STAGES = 4;

    /**
     * One stage of the body: {@code get_block(in, depth, units)}, a stride-2 unit then {@code units - 1} stride-1 units.
     *
     * @param depth output channels of every unit of the stage
     * @param units number of bottleneck_IR_SE units, 1 or more
     */
    public record Stage(int depth, int units) {
    }

    /** The three inputs of the style heads: e4e's c3 (coarse), p2 (medium) and p1 (fine) feature maps. */
    public enum Level {
        COARSE, MEDIUM, FINE;

        /** How many times the level's feature map is smaller than the input: c3 1/16, p2 1/8, p1 1/4. */
        int downsampling() {
            return 16 >> ordinal();
        }
    }

    public EncoderConfig {
        stages = List.copyOf(stages);
        if (Integer.bitCount(size) != 1 || size < 16) throw new IllegalArgumentException("encoder: generator size must be a power of two of 16 or more, not " + size);
        if (Integer.bitCount(inputSize) != 1 || inputSize < 16 || inputSize > size) {
            throw new IllegalArgumentException("encoder: input size must be a power of two in [16, " + size + "], not " + inputSize);
        }
        if (styleDim < 1) throw new IllegalArgumentException("encoder: style_dim must be 1 or more, not " + styleDim);
        if (stemWidth < 1) throw new IllegalArgumentException("encoder: stem width must be 1 or more, not " + stemWidth);
        if (stages.size() != STAGES) throw new IllegalArgumentException("encoder: the body has " + STAGES + " stages, not " + stages.size());
        for (Stage s : stages) {
            if (s.units() < 1 || s.depth() < IrSeConfig.SE_REDUCTION) {
                throw new IllegalArgumentException("encoder: a stage needs 1 or more units of " + IrSeConfig.SE_REDUCTION
                        + " or more channels, not " + s);
            }
        }
    }

    /**
     * The encoder for a generator: e4e's IR-SE50 body (stem 64, stages 64 x 3, 128 x 4, 256 x 14, 512 x 3) for
     * style_dim 512; otherwise e4e's widths times style_dim / 512 (at least {@link #MIN_WIDTH}), the last stage as wide
     * as style_dim, with 2, 2, 4 and 2 units. The input is the generator's size, at most 256.
     */
    public static EncoderConfig forGenerator(GeneratorConfig g) {
        if (g.styleDim() == 512) return e4e(g.size());
        int d = g.styleDim();
        int[] depths = {Math.max(MIN_WIDTH, d / 8), Math.max(MIN_WIDTH, d / 4), Math.max(MIN_WIDTH, d / 2), Math.max(IrSeConfig.SE_REDUCTION, d)};
        int[] units = {2, 2, 4, 2};
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < STAGES; i++) stages.add(new Stage(depths[i], units[i]));
        return new EncoderConfig(g.size(), d, Math.min(g.size(), MAX_INPUT), depths[0], stages);
    }

    /** e4e's {@code Encoder4Editing(50, 'ir_se')} for a style_dim 512 generator of {@code size} (18 rows at 1024). */
    public static EncoderConfig e4e(int size) {
        List<Stage> stages = List.of(new Stage(64, 3), new Stage(128, 4), new Stage(256, 14), new Stage(512, 3));
        return new EncoderConfig(size, 512, Math.min(size, MAX_INPUT), 64, stages);
    }

    /** Rows of the W+ code it predicts: {@code 2 * log2(size) - 2} (e4e's style_count; 18 at 1024). */
    public int nLatent() {
        return 2 * Integer.numberOfTrailingZeros(size) - 2;
    }

    /** Channels of the feature pyramid (c3, and the laterals' output): the last stage's depth. */
    public int pyramidWidth() {
        return stages.get(STAGES - 1).depth();
    }

    /** The body's units in order, as {@code get_blocks} lists them: each stage's first unit has stride 2. */
    public List<IrSeConfig.Unit> units() {
        List<IrSeConfig.Unit> out = new ArrayList<>();
        int in = stemWidth;
        for (Stage s : stages) {
            out.add(new IrSeConfig.Unit(in, s.depth(), 2));
            for (int i = 1; i < s.units(); i++) out.add(new IrSeConfig.Unit(s.depth(), s.depth(), 1));
            in = s.depth();
        }
        return out;
    }

    /** Index of the last unit of {@code stage} (e4e: 6, 20, 23 for stages 1, 2, 3). */
    public int lastUnit(int stage) {
        int end = -1;
        for (int i = 0; i <= stage; i++) end += stages.get(i).units();
        return end;
    }

    /** The level whose features W+ row {@code row} is read from (e4e's coarse_ind / middle_ind split). */
    public static Level level(int row) {
        return row < COARSE_END ? Level.COARSE : row < MEDIUM_END ? Level.MEDIUM : Level.FINE;
    }

    /** Side of a level's feature map for this input size. */
    public int side(Level level) {
        return inputSize / level.downsampling();
    }

    /**
     * Stride-2 convs of a style head on {@code level}: {@code int(log2(spatial))} in GradualStyleBlock, which takes the
     * map to 1 x 1; at least one (the block always has its first conv).
     */
    public int headConvs(Level level) {
        return Math.max(1, Integer.numberOfTrailingZeros(side(level)));
    }

    /** The record as the encoder file's 'config' dict. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("style_dim", styleDim);
        m.put("n_latent", nLatent());
        m.put("input_size", inputSize);
        m.put("stem_width", stemWidth);
        m.put("stage_depths", stages.stream().map(s -> (Object) s.depth()).toList());
        m.put("stage_units", stages.stream().map(s -> (Object) s.units()).toList());
        m.put("coarse_ind", COARSE_END);
        m.put("middle_ind", MEDIUM_END);
        return m;
    }

    /** The record from an encoder file's 'config' dict; {@code source} names the file in messages. */
    public static EncoderConfig fromMap(Map<?, ?> m, String source) throws CheckpointException {
        try {
            List<?> depths = (List<?>) need(m, "stage_depths", source);
            List<?> units = (List<?>) need(m, "stage_units", source);
            if (depths.size() != units.size()) throw new CheckpointException(source + ": config has " + depths.size() + " stage depths but " + units.size() + " unit counts");
            List<Stage> stages = new ArrayList<>();
            for (int i = 0; i < depths.size(); i++) stages.add(new Stage(((Number) depths.get(i)).intValue(), ((Number) units.get(i)).intValue()));
            EncoderConfig c = new EncoderConfig(integer(m, "size", source), integer(m, "style_dim", source), integer(m, "input_size", source),
                    integer(m, "stem_width", source), stages);
            if (m.get("n_latent") instanceof Number n && n.intValue() != c.nLatent()) {
                throw new CheckpointException(source + ": config says n_latent " + n + ", but a " + c.size() + " px generator has " + c.nLatent() + " W+ rows");
            }
            for (String k : new String[] {"coarse_ind", "middle_ind"}) {
                int expected = k.equals("coarse_ind") ? COARSE_END : MEDIUM_END;
                if (m.get(k) instanceof Number n && n.intValue() != expected) {
                    throw new CheckpointException(source + ": config has " + k + " " + n + "; this encoder splits the rows at " + COARSE_END + " and " + MEDIUM_END + " as e4e does");
                }
            }
            return c;
        } catch (ClassCastException | IllegalArgumentException e) {
            throw new CheckpointException(source + ": not an encoder config (" + e.getMessage() + ")");
        }
    }

    private static Object need(Map<?, ?> m, String key, String source) throws CheckpointException {
        Object v = m.get(key);
        if (v == null) throw new CheckpointException(source + ": the encoder config has no '" + key + "'");
        return v;
    }

    private static int integer(Map<?, ?> m, String key, String source) throws CheckpointException {
        return ((Number) need(m, key, source)).intValue();
    }

    @Override
    public String toString() {
        return "size=" + size + " style_dim=" + styleDim + " n_latent=" + nLatent() + " input=" + inputSize + " stem=" + stemWidth
                + " stages=[" + stages.stream().map(s -> s.depth() + "x" + s.units()).collect(Collectors.joining(", ")) + "]";
    }
}
