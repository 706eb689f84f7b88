package dev.styleclip.edit.mapper;

import dev.styleclip.stylegan2.GeneratorConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout of {@code StyleCLIPMapper.state_dict()} (StyleCLIP mapper/styleclip_mapper.py): the mapper's keys
 * ({@code mapper.*}) then the whole decoder's ({@code decoder.*}, rosinality's {@code Generator(size, style_dim, n_mlp)},
 * {@code Generator(size, 512, 8)} for FFHQ; the mapper's width is the decoder's style_dim),
 * in module registration order, and the {@code _metadata} that {@code Module.state_dict()} attaches (one
 * {@code {'version': 1}} per module, parameter-less ones included). Derived from the active levels and the
 * decoder's configuration, so that a checkpoint written here has the reference's keys in the reference's order.
 */
public final class MapperLayout {
    public static final String MAPPER_PREFIX = "mapper.";
    public static final String DECODER_PREFIX = "decoder.";

    private MapperLayout() {
    }

    /** LevelsMapper.state_dict() keys and shapes (without the {@code mapper.} prefix) at FFHQ's width, 512. */
    public static Map<String, long[]> mapperKeys(Set<MapperLevel> levels) {
        return mapperKeys(levels, Mapper.DEFAULT_WIDTH);
    }

    /**
     * LevelsMapper.state_dict() keys and shapes (without the {@code mapper.} prefix) for a mapper of {@code width}:
     * the decoder's style_dim (512 for FFHQ), weights [width, width], biases [width].
     */
    public static Map<String, long[]> mapperKeys(Set<MapperLevel> levels, int width) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (MapperLevel level : MapperLevel.values()) {
            if (!levels.contains(level)) continue;
            for (int i = 0; i < Mapper.DEPTH; i++) {
                out.put(Mapper.weightKey(level.attribute + ".", i), new long[] {width, width});
                out.put(Mapper.biasKey(level.attribute + ".", i), new long[] {width});
            }
        }
        return out;
    }

    /** rosinality Generator.state_dict() keys and shapes for {@code cfg} (without the {@code decoder.} prefix). */
    public static Map<String, long[]> decoderKeys(GeneratorConfig cfg) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long d = cfg.styleDim();
        for (int i = 1; i <= cfg.nMlp(); i++) {
            out.put("style." + i + ".weight", new long[] {d, d});
            out.put("style." + i + ".bias", new long[] {d});
        }
        long c4 = cfg.channels().get(4);
        out.put("input.input", new long[] {1, c4, 4, 4});
        styledConv(out, "conv1.", c4, c4, d, false);
        toRgb(out, "to_rgb1.", c4, d, false);
        List<Long> outs = new ArrayList<>();
        long in = c4;
        int j = 0;
        for (int res = 8; res <= cfg.size(); res *= 2, j += 2) {
            long o = cfg.channels().get(res);
            styledConv(out, "convs." + j + ".", in, o, d, true);
            styledConv(out, "convs." + (j + 1) + ".", o, o, d, false);
            outs.add(o);
            in = o;
        }
        for (int k = 0; k < outs.size(); k++) toRgb(out, "to_rgbs." + k + ".", outs.get(k), d, true);
        for (int i = 0; i < cfg.numLayers(); i++) {
            long r = 1L << ((i + 5) / 2);
            out.put("noises.noise_" + i, new long[] {1, 1, r, r});
        }
        return out;
    }

    private static void styledConv(Map<String, long[]> out, String p, long in, long o, long d, boolean upsample) {
        out.put(p + "conv.weight", new long[] {1, o, in, 3, 3});
        if (upsample) out.put(p + "conv.blur.kernel", new long[] {4, 4});
        out.put(p + "conv.modulation.weight", new long[] {in, d});
        out.put(p + "conv.modulation.bias", new long[] {in});
        out.put(p + "noise.weight", new long[] {1});
        out.put(p + "activate.bias", new long[] {o});
    }

    private static void toRgb(Map<String, long[]> out, String p, long in, long d, boolean upsample) {
        out.put(p + "bias", new long[] {1, 3, 1, 1});
        if (upsample) out.put(p + "upsample.kernel", new long[] {4, 4});
        out.put(p + "conv.weight", new long[] {1, 3, in, 1, 1});
        out.put(p + "conv.modulation.weight", new long[] {in, d});
        out.put(p + "conv.modulation.bias", new long[] {in});
    }

    /**
     * The state dict's {@code _metadata}: module prefix -> {'version': 1}, for StyleCLIPMapper with these levels
     * and this decoder (face_pool, an AdaptiveAvgPool2d without state, is listed last).
     */
    public static Map<String, Object> metadata(Set<MapperLevel> levels, GeneratorConfig cfg) {
        List<String> modules = new ArrayList<>();
        modules.add("");
        modules.add("mapper");
        for (MapperLevel level : MapperLevel.values()) {
            if (!levels.contains(level)) continue;
            String p = "mapper." + level.attribute;
            modules.add(p);
            modules.add(p + ".mapping");
            for (int i = 0; i <= Mapper.DEPTH; i++) modules.add(p + ".mapping." + i); // 0 is PixelNorm
        }
        modules.add("decoder");
        modules.add("decoder.style");
        for (int i = 0; i <= cfg.nMlp(); i++) modules.add("decoder.style." + i);
        modules.add("decoder.input");
        styledConvModules(modules, "decoder.conv1", false);
        modules.add("decoder.to_rgb1");
        modules.add("decoder.to_rgb1.conv");
        modules.add("decoder.to_rgb1.conv.modulation");
        modules.add("decoder.convs");
        int pairs = cfg.logSize() - 2;
        for (int j = 0; j < 2 * pairs; j++) styledConvModules(modules, "decoder.convs." + j, j % 2 == 0);
        modules.add("decoder.upsamples");
        modules.add("decoder.to_rgbs");
        for (int k = 0; k < pairs; k++) {
            String p = "decoder.to_rgbs." + k;
            modules.add(p);
            modules.add(p + ".upsample");
            modules.add(p + ".conv");
            modules.add(p + ".conv.modulation");
        }
        modules.add("decoder.noises");
        modules.add("face_pool");
        Map<String, Object> out = new LinkedHashMap<>();
        for (String m : modules) out.put(m, Map.of("version", 1));
        return out;
    }

    private static void styledConvModules(List<String> modules, String p, boolean upsample) {
        modules.add(p);
        modules.add(p + ".conv");
        if (upsample) modules.add(p + ".conv.blur");
        modules.add(p + ".conv.modulation");
        modules.add(p + ".noise");
        modules.add(p + ".activate");
    }
}
