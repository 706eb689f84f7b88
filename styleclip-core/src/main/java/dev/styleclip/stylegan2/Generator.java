package dev.styleclip.stylegan2;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The StyleGAN2 generator as StyleCLIP uses it: rosinality's {@code Generator} (StyleCLIP's copy of
 * models/stylegan2/model.py), with its checkpoint keys as field paths. Mapping z -> w, truncation, W+,
 * style space S, and synthesis from W+ or S. Synthesis from W+ is synthesis from the S entries that the
 * modulation layers compute, exactly as in the reference.
 *
 * <p>How it computes (not what) is fixed when it is made, by its {@link Options}.
 *
 * <p>Weights are native tensors owned by this object; {@link #close()} frees them.
 */
public final class Generator implements AutoCloseable {
    /** Seed of the documented fallback mean latent, for files without {@code latent_avg}. */
    public static final long MEAN_LATENT_SEED = 1001;
    public static final int MEAN_LATENT_SAMPLES = 4096;

    /**
     * How synthesis computes; every choice gives the same image up to float rounding (tests hold each to the
     * reference's), so only speed differs ({@code styleclip bench synth} prints each).
     *
     * @param upsampleConv the formulation of the upsampling convs ({@link UpsampleConv#TRANSPOSED}, the reference's,
     *                     by default: faster on libtorch 2.10)
     * @param memoryFormat the memory layout of the feature maps ({@link MemoryFormat#CHANNELS_LAST} by default;
     *                     synthesis returns a contiguous NCHW image either way)
     */
    public record Options(UpsampleConv upsampleConv, MemoryFormat memoryFormat) {
        public static final Options DEFAULT = new Options(UpsampleConv.TRANSPOSED, MemoryFormat.CHANNELS_LAST);

        public Options {
            java.util.Objects.requireNonNull(upsampleConv, "upsampleConv");
            java.util.Objects.requireNonNull(memoryFormat, "memoryFormat");
        }

        public Options withUpsampleConv(UpsampleConv u) {
            return new Options(u, memoryFormat);
        }

        public Options withMemoryFormat(MemoryFormat m) {
            return new Options(upsampleConv, m);
        }
    }

    /** One entry of S with the module it modulates, in S order: synthesis walks these. */
    private sealed interface Layer permits ConvLayer, RgbLayer {
        StyleLayer entry();

        /** The modulated conv whose modulation computes this entry from a W+ row. */
        ModulatedConv2d modulated();
    }

    /** A StyledConv's entry: it updates the feature map, with noise buffer {@code noise}. */
    private record ConvLayer(StyleLayer entry, StyledConv module, int noise) implements Layer {
        @Override
        public ModulatedConv2d modulated() {
            return module.conv;
        }
    }

    /** A ToRGB's entry: it updates the skip image. */
    private record RgbLayer(StyleLayer entry, ToRGB module) implements Layer {
        @Override
        public ModulatedConv2d modulated() {
            return module.conv;
        }
    }

    private final GeneratorConfig config;
    private final Options options;
    private final MappingNetwork mapping;
    private final Tensor constInput;
    private final StyledConv conv1;
    private final ToRGB toRgb1;
    private final List<StyledConv> convs = new ArrayList<>();
    private final List<ToRGB> toRgbs = new ArrayList<>();
    private final List<Tensor> noises = new ArrayList<>();
    private final List<Layer> layers;
    private final List<StyleLayer> layout;
    private final Tensor latentAvg;
    private final boolean latentAvgFromFile;
    private final PointerScope weights;

    private Generator(StateDict sd, GeneratorConfig cfg, Tensor latentAvg, String source, Options options)
            throws CheckpointException {
        this.weights = new PointerScope();
        try {
            this.config = cfg;
            this.options = java.util.Objects.requireNonNull(options, "options");
            int d = cfg.styleDim();
            Map<Integer, Integer> ch = cfg.channels();
            mapping = new MappingNetwork(sd, d, cfg.nMlp());
            constInput = sd.take("input.input", 1, ch.get(4), 4, 4);
            conv1 = new StyledConv(sd, "conv1.", ch.get(4), ch.get(4), d, false);
            toRgb1 = new ToRGB(sd, "to_rgb1.", ch.get(4), d, false);
            for (int i = 0; i < cfg.numLayers(); i++) {
                int r = 1 << ((i + 5) / 2);
                noises.add(sd.take("noises.noise_" + i, 1, 1, r, r));
            }
            int in = ch.get(4);
            for (int res = 8; res <= cfg.size(); res *= 2) {
                int out = ch.get(res);
                int j = convs.size();
                convs.add(new StyledConv(sd, "convs." + j + ".", in, out, d, true));
                convs.add(new StyledConv(sd, "convs." + (j + 1) + ".", out, out, d, false));
                toRgbs.add(new ToRGB(sd, "to_rgbs." + (j / 2) + ".", out, d, true));
                in = out;
            }
            sd.finish("StyleGAN2 generator (" + cfg + ")");
            this.layers = buildLayers();
            this.layout = layers.stream().map(Layer::entry).toList();
            this.latentAvgFromFile = latentAvg != null;
            this.latentAvg = latentAvg != null ? latentAvg.view(1, d) : computeMeanLatent();
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
        weights.extend(); // keep the scope open: it owns the weights until close()
        weights.close();
    }

    /** Builds a generator from rosinality-layout weights (keys without any "g_ema." prefix), with the default options. */
    public static Generator fromStateDict(StateDict sd, Tensor latentAvg, String source) throws CheckpointException {
        return fromStateDict(sd, latentAvg, source, Options.DEFAULT);
    }

    /** Builds a generator from rosinality-layout weights (keys without any "g_ema." prefix). */
    public static Generator fromStateDict(StateDict sd, Tensor latentAvg, String source, Options options)
            throws CheckpointException {
        Engine.init();
        return new Generator(sd, GeneratorConfig.infer(sd, source), latentAvg, source, options);
    }

    /** A generator of a given configuration with the weights {@code sd} provides, with the default options. */
    public static Generator create(GeneratorConfig cfg, StateDict sd, Tensor latentAvg, String source) throws CheckpointException {
        return create(cfg, sd, latentAvg, source, Options.DEFAULT);
    }

    /** A generator of a given configuration with the weights {@code sd} provides (e.g. {@link StateDict#random}). */
    public static Generator create(GeneratorConfig cfg, StateDict sd, Tensor latentAvg, String source, Options options)
            throws CheckpointException {
        Engine.init();
        return new Generator(sd, cfg, latentAvg, source, options);
    }

    /** {@link #load(Path, Options)} with {@link Options#DEFAULT}. */
    public static Generator load(Path file) throws IOException {
        return load(file, Options.DEFAULT);
    }

    /**
     * Loads a generator checkpoint: {@code {'g_ema', 'latent_avg'}} (converted FFHQ), rosinality's training
     * dict {@code {'g', 'd', 'g_ema', ...}} (g_ema is taken), or a bare generator state dict.
     */
    public static Generator load(Path file, Options options) throws IOException {
        Engine.init();
        Checkpoint ckpt = CheckpointReader.read(file);
        Object root = ckpt.root();
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointException(file, "not a StyleGAN2 generator checkpoint (top level is " + describe(root) + ")");
        }
        Object g = map.containsKey("g_ema") ? map.get("g_ema") : map;
        Map<String, TensorRef> tensors = Checkpoint.tensors(g);
        if (!tensors.containsKey("style.1.weight") || !tensors.containsKey("input.input")) {
            throw new CheckpointException(file, "not a StyleGAN2 generator checkpoint (" + "no style.1.weight / input.input keys" + ")");
        }
        Tensor avg = null;
        if (map.get("latent_avg") instanceof TensorRef ref) avg = Tensors.fromRawAsFloat(ref.read());
        StateDict sd = StateDict.of(file.getFileName().toString(), tensors);
        return fromStateDict(sd, avg, file.getFileName().toString(), options);
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    /**
     * The layers in S order (StyleCLIP's): conv1, to_rgb1, then per resolution convs.2j, convs.2j+1, to_rgbs.j, as
     * rosinality's forward runs them. conv1 reads W+ row 0 and noise 0, to_rgb1 row 1; convs.k reads row k + 1 and
     * noise k + 1, to_rgbs.j row 2j + 3.
     */
    private List<Layer> buildLayers() {
        List<Layer> l = new ArrayList<>();
        l.add(new ConvLayer(new StyleLayer(0, "conv1", conv1.conv.inChannels, false, 0), conv1, 0));
        l.add(new RgbLayer(new StyleLayer(1, "to_rgb1", toRgb1.conv.inChannels, true, 1), toRgb1));
        for (int j = 0; j < toRgbs.size(); j++) {
            for (int k = 2 * j; k <= 2 * j + 1; k++) {
                StyledConv c = convs.get(k);
                l.add(new ConvLayer(new StyleLayer(l.size(), "convs." + k, c.conv.inChannels, false, k + 1), c, k + 1));
            }
            ToRGB rgb = toRgbs.get(j);
            l.add(new RgbLayer(new StyleLayer(l.size(), "to_rgbs." + j, rgb.conv.inChannels, true, 2 * j + 3), rgb));
        }
        return List.copyOf(l);
    }

    /** mean_latent: the mean of w over 4096 z drawn after torch.manual_seed(1001). */
    private Tensor computeMeanLatent() {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(MEAN_LATENT_SEED);
            Tensor z = torch.randn(MEAN_LATENT_SAMPLES, config.styleDim());
            Tensor mean;
            try (var g = new org.bytedeco.pytorch.NoGradGuard()) {
                mean = mapping.forward(z).mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
            }
            return Tensors.keep(scope, mean);
        }
    }

    /** How this generator computes, as it was made. */
    public Options options() {
        return options;
    }

    public GeneratorConfig config() {
        return config;
    }

    /** The S layout, in StyleCLIP's order. */
    public List<StyleLayer> styleLayout() {
        return layout;
    }

    /** The truncation centre [1, style_dim]: the file's latent_avg, or the seeded mean when it has none. */
    public Tensor latentAvg() {
        return latentAvg;
    }

    public boolean latentAvgFromFile() {
        return latentAvgFromFile;
    }

    /** z [B, D] -> w [B, D]. */
    public Tensor mapping(Tensor z) {
        return mapping.forward(z);
    }

    /** t + psi * (w - t) towards latent_avg, for w [B, D] or W+ [B, L, D]; psi >= 1 returns w unchanged. */
    public Tensor truncate(Tensor w, double psi) {
        if (psi >= 1.0) return w;
        return latentAvg.add(w.sub(latentAvg).mul(new Scalar(psi)));
    }

    /** w [B, D] broadcast to W+ [B, n_latent, D]; a W+ tensor is returned as it is. */
    public Tensor toWPlus(Tensor w) {
        if (w.dim() == 3) {
            Tensors.checkShape("W+ latent", w, -1, config.nLatent(), config.styleDim());
            return w;
        }
        Tensors.checkShape("w latent", w, -1, config.styleDim());
        return w.unsqueeze(1).repeat(1, config.nLatent(), 1);
    }

    /** Style mixing: rows [0, injectIndex) from wA, the rest from wB (both [B, D]). */
    public Tensor mix(Tensor wA, Tensor wB, int injectIndex) {
        if (injectIndex < 1 || injectIndex >= config.nLatent()) {
            throw new IllegalArgumentException("inject index must be in [1, " + (config.nLatent() - 1) + "]");
        }
        TensorVector parts = new TensorVector(wA.unsqueeze(1).repeat(1, injectIndex, 1),
                wB.unsqueeze(1).repeat(1, config.nLatent() - injectIndex, 1));
        return torch.cat(parts, 1);
    }

    /** W+ [B, n_latent, D] -> the S list, each entry [B, 1, C_i, 1, 1]. */
    public List<Tensor> styles(Tensor wplus) {
        Tensors.checkShape("W+ latent", wplus, -1, config.nLatent(), config.styleDim());
        List<Tensor> s = new ArrayList<>(layers.size());
        for (Layer l : layers) s.add(l.modulated().style(wplus.select(1, l.entry().wRow())));
        return s;
    }

    /** Image [B, 3, size, size] (nominally [-1, 1], not clamped) from W+ [B, n_latent, D]. */
    public Tensor synthesize(Tensor wplus, NoiseMode noise) {
        return synthesizeFromStyles(styles(wplus), noise);
    }

    /** Image from the S list (as {@link #styles} returns it); the batch size comes from S[0]. */
    public Tensor synthesizeFromStyles(List<Tensor> s, NoiseMode noise) {
        checkStyles(s);
        return advance(start(s.get(0).size(0)), s, layout.size(), (i, b) -> noise(i, b, noise)).skip().contiguous();
    }

    /**
     * Image [B, 3, size, size] from W+ [B, n_latent, D] with the given noise maps, one per buffer
     * {@code noises.noise_i} in order ({@link #noiseBuffers()} gives the checkpoint's): each [1, 1, r, r] (shared by
     * the batch) or [B, 1, r, r], r as the buffer's. The reference's {@code g_ema([w], input_is_latent=True,
     * noise=noises)}, as rosinality's projector.py calls it; gradients flow to the maps.
     */
    public Tensor synthesize(Tensor wplus, List<Tensor> noise) {
        List<Tensor> s = styles(wplus);
        long b = wplus.size(0);
        checkNoise(noise, b);
        return advance(start(b), s, layout.size(), (i, batch) -> noise.get(i)).skip().contiguous();
    }

    /**
     * Copies of the checkpoint's noise buffers {@code noises.noise_i}, each [1, 1, r, r], in the caller's scope: the
     * maps {@link NoiseMode#CONST} synthesizes with, as a start for {@link #synthesize(Tensor, List)}.
     */
    public List<Tensor> noiseBuffers() {
        List<Tensor> out = new ArrayList<>(noises.size());
        try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Tensor n : noises) out.add(n.clone());
        }
        return out;
    }

    private void checkNoise(List<Tensor> noise, long batch) {
        if (noise.size() != noises.size()) {
            throw new IllegalArgumentException("this generator has " + noises.size() + " noise buffers, got " + noise.size() + " noise maps");
        }
        for (int i = 0; i < noise.size(); i++) {
            Tensor n = noise.get(i);
            long r = noises.get(i).size(2);
            Tensors.checkShape("noise map " + i, n, n.dim() == 4 && n.size(0) == 1 ? 1 : batch, 1, r, r);
        }
    }

    /**
     * Synthesis part-way: the feature map and the RGB skip image after the S entries before
     * {@code nextEntry}. Entries are consumed in S order (a conv entry updates the features, a ToRGB entry the
     * skip image), so a state can be reused for every S that agrees with it on the entries already consumed.
     */
    public record SynthesisState(Tensor features, Tensor skip, int nextEntry) {
    }

    /** The state before any S entry: the constant input repeated over the batch. */
    public SynthesisState start(long batch) {
        Tensor x = constInput.repeat(batch, 1, 1, 1); // [B, C, 4, 4]
        if (options.memoryFormat() == MemoryFormat.CHANNELS_LAST) x = x.contiguous(torch.MemoryFormat.ChannelsLast);
        return new SynthesisState(x, null, 0);
    }

    /** Consumes S entries {@code state.nextEntry()} .. {@code untilEntry - 1}. */
    public SynthesisState advance(SynthesisState state, List<Tensor> s, int untilEntry, NoiseMode noise) {
        return advance(state, s, untilEntry, (i, b) -> noise(i, b, noise));
    }

    /** Where a conv layer's noise comes from: map {@code i} for a batch of {@code batch} (null: none). */
    @FunctionalInterface
    private interface NoiseSource {
        Tensor map(int i, long batch);
    }

    private SynthesisState advance(SynthesisState state, List<Tensor> s, int untilEntry, NoiseSource noise) {
        Tensor out = state.features();
        Tensor skip = state.skip();
        long b = out.size(0);
        for (int i = state.nextEntry(); i < untilEntry; i++) {
            Layer l = layers.get(i);
            Tensor si = s.get(i);
            if (l instanceof ConvLayer c) {
                out = c.module().forward(out, si, noise.map(c.noise(), b), options.upsampleConv());
            } else if (l instanceof RgbLayer r) {
                skip = r.module().forward(out, si, skip); // null before the first ToRGB, which has no skip input
            }
        }
        return new SynthesisState(out, skip, untilEntry);
    }

    private void checkStyles(List<Tensor> s) {
        if (s.size() != layout.size()) {
            throw new IllegalArgumentException("style space of this generator has " + layout.size() + " entries, got " + s.size());
        }
        long b = s.get(0).size(0);
        for (StyleLayer l : layout) Tensors.checkShape("S[" + l.index() + "] (" + l.name() + ")", s.get(l.index()), b, 1, l.channels(), 1, 1);
    }

    private Tensor noise(int i, long batch, NoiseMode mode) {
        Tensor buffer = noises.get(i);
        return switch (mode) {
            case CONST -> buffer;
            case RANDOM -> torch.randn(batch, 1, buffer.size(2), buffer.size(3));
            case ZERO -> null;
        };
    }

    @Override
    public void close() {
        weights.deallocate();
    }
}
