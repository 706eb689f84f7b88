package dev.styleclip;

import dev.styleclip.arcface.IdLoss;
import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.Clip;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import dev.styleclip.edit.mapper.MapperEdit;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.image.Images;
import dev.styleclip.image.InputImages;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.ImageMetrics;
import dev.styleclip.invert.InversionMethod;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.encoder.Encoder;
import dev.styleclip.invert.InversionSettings;
import dev.styleclip.invert.Projector;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The Java API: a generator and a CLIP loaded once, and one call per StyleCLIP method, plus {@link #invert} to bring a
 * picture of one's own into the latent space. Inputs and results live on the Java heap ({@link Latent},
 * {@link EditResult}, {@link InversionResult}); each call runs in its own native scope, so a program never frees a
 * tensor. Close it to free the models.
 *
 * <pre>{@code
 * try (StyleClip sc = StyleClip.bundled()) {
 *     EditResult r = sc.optimize(sc.seed(8), "purple hair");
 *     r.save(Path.of("out/purple"));
 * }
 * }</pre>
 *
 * <p>A generator file with the bundled generator's SHA-256 gets the bundled set's defaults
 * ({@link OptimizationPreset#BUNDLED}, {@link InversionPreset#BUNDLED}), any other the published ones; the bundled mappers and
 * global directions are found by prompt when both the generator and the CLIP are the bundled ones.
 */
public final class StyleClip implements AutoCloseable {
    /** The neutral text global directions start from when none is given. */
    public static final String DEFAULT_NEUTRAL = "a portrait";

    /**
     * Where the models come from, as provenance names them.
     *
     * @param generator StyleGAN2 checkpoint (rosinality layout)
     * @param clip      CLIP checkpoint (OpenAI's TorchScript file, or the bundled one)
     * @param arcface   IR-SE50 weights for the identity loss, or null
     * @param labels    how provenance names each file (a path, or {@code bundled:generator.pt})
     */
    public record Models(Path generator, Path clip, Path arcface, Map<String, String> labels) {
        /** Files given by path; they are named by their paths. */
        public static Models of(Path generator, Path clip, Path arcface) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("generator", generator.toString());
            labels.put("clip", clip.toString());
            if (arcface != null) labels.put("arcface", arcface.toString());
            return new Models(generator, clip, arcface, labels);
        }

        /** The bundled generator and CLIP (unpacked into the cache on first use). */
        public static Models bundled() {
            return new Models(BundledModels.path(BundledModels.GENERATOR), BundledModels.path(BundledModels.CLIP), null,
                    Map.of("generator", "bundled:" + BundledModels.GENERATOR, "clip", "bundled:" + BundledModels.CLIP));
        }

        /** The bundled model in place of each file not given (null). */
        public static Models orBundled(Path generator, Path clip, Path arcface) {
            Models b = generator == null || clip == null ? bundled() : null;
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("generator", generator != null ? generator.toString() : b.labels().get("generator"));
            labels.put("clip", clip != null ? clip.toString() : b.labels().get("clip"));
            if (arcface != null) labels.put("arcface", arcface.toString());
            return new Models(generator != null ? generator : b.generator(), clip != null ? clip : b.clip(), arcface, labels);
        }
    }

    private final Models models;
    private final Generator g;
    private final Clip clip;
    private final IdLoss id;
    private final ClipLoss clipLoss;
    private final String generatorSha;
    private final String clipSha;
    private final String arcfaceSha;
    private final boolean bundledGenerator;
    private final boolean bundledClip;
    private final Map<Path, Encoder> encoders = new LinkedHashMap<>();

    private StyleClip(Models models) throws IOException {
        this.models = models;
        this.generatorSha = Hashes.sha256(models.generator());
        this.clipSha = Hashes.sha256(models.clip());
        this.arcfaceSha = models.arcface() != null ? Hashes.sha256(models.arcface()) : null;
        this.bundledGenerator = BundledModels.available() && generatorSha.equals(BundledModels.generatorSha256());
        this.bundledClip = BundledModels.available() && clipSha.equals(BundledModels.sha256(BundledModels.CLIP));
        // the bundled models are small: OpenMP hand-offs cost more than their ops
        if (bundledGenerator) Engine.preferThreads(1);
        Generator gen = Generator.load(models.generator());
        Clip c = null;
        try {
            c = Clip.load(models.clip());
            this.id = models.arcface() != null ? IdLoss.load(models.arcface()) : null;
        } catch (IOException | RuntimeException e) {
            gen.close();
            if (c != null) c.close();
            throw e;
        }
        this.g = gen;
        this.clip = c;
        // the bundled CLIP learned on CLIP-normalised pixels; a published one gets StyleCLIP's unnormalised recipe
        this.clipLoss = ClipLoss.forModel(clip.model(), g.config().size());
    }

    /** The defaults latent optimization takes for a generator file: the bundled set's for the bundled generator (by SHA-256). */
    public static OptimizationPreset presetFor(Path generator) throws IOException {
        return BundledModels.available() && Hashes.sha256(generator).equals(BundledModels.generatorSha256())
                ? OptimizationPreset.BUNDLED : OptimizationPreset.PUBLISHED;
    }

    /** The defaults inversion takes for a generator file: the bundled set's for the bundled generator (by SHA-256). */
    public static InversionPreset inversionPresetFor(Path generator) throws IOException {
        return BundledModels.available() && Hashes.sha256(generator).equals(BundledModels.generatorSha256())
                ? InversionPreset.BUNDLED : InversionPreset.PUBLISHED;
    }

    /** The bundled 64-px generator and small CLIP. */
    public static StyleClip bundled() throws IOException {
        return new StyleClip(Models.bundled());
    }

    /** A published (or any) generator and CLIP, without the identity loss. */
    public static StyleClip open(Path generator, Path clip) throws IOException {
        return new StyleClip(Models.of(generator, clip, null));
    }

    public static StyleClip open(Models models) throws IOException {
        return new StyleClip(models);
    }

    public Generator generator() {
        return g;
    }

    /** The CLIP, with its tokenizer and preprocessing ({@link Clip#model()} is the network). */
    public Clip clip() {
        return clip;
    }

    public ClipLoss clipLoss() {
        return clipLoss;
    }

    public Models models() {
        return models;
    }

    /** Whether the generator file is the bundled one (by SHA-256), and so gets the bundled set's defaults. */
    public boolean bundledGenerator() {
        return bundledGenerator;
    }

    /** Whether the bundled mappers and directions apply (the bundled generator and CLIP). */
    public boolean bundledSet() {
        return bundledGenerator && bundledClip;
    }

    /** Latent optimization's defaults for this generator. */
    public OptimizationPreset optimizationPreset() {
        return bundledGenerator ? OptimizationPreset.BUNDLED : OptimizationPreset.PUBLISHED;
    }

    /** A seed's W+ latent at this generator's default truncation. */
    public Latent seed(long seed) {
        return seed(seed, optimizationPreset().truncation());
    }

    /** A seed's W+ latent: z = randn(1, D) after torch.manual_seed(seed), mapped and truncated by {@code psi}. */
    public Latent seed(long seed, double truncation) {
        Checks.openClosed("truncation", truncation, 0, 1);
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("seed", seed);
        origin.put("latent", null);
        origin.put("truncation", truncation);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor w = Latents.toWPlus(g, Latents.seedZ(seed, g.config().styleDim()), LatentSpace.Z, truncation);
            return Latent.of(w, Latent.Space.W_PLUS, origin);
        }
    }

    /** The generator's mean latent on every W+ row: free generation's start in StyleCLIP. */
    public Latent mean() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor w = g.latentAvg().unsqueeze(1).repeat(1, g.config().nLatent(), 1);
            Map<String, Object> origin = new LinkedHashMap<>();
            origin.put("start", "mean latent");
            return Latent.of(w, Latent.Space.W_PLUS, origin);
        }
    }

    /** A latent file (.npy or .pt holding one tensor) in z, w or W+, as W+ (untruncated); non-finite values are refused. */
    public Latent readLatent(Path file, LatentSpace space) throws IOException {
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("seed", null);
        origin.put("latent", file.toString());
        origin.put("latent_sha256", Hashes.sha256(file));
        origin.put("latent_space", space.name().toLowerCase().replace("_plus", "+"));
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return Latent.of(Latents.read(g, file, space, 1.0), Latent.Space.W_PLUS, origin);
        }
    }

    /** The images of a latent (W+ or flat S), the checkpoint's fixed noise. */
    public List<BufferedImage> images(Latent latent) {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return Images.toImages(synthesize(latent.tensor(), latent.space()));
        }
    }

    /** CLIP's cosine similarity between the image of each latent and {@code text} (one value per latent). */
    public double[] similarity(Latent latent, String text) {
        int[][] tokens = clip.tokenize(List.of(text), dev.styleclip.clip.tokenizer.TruncationPolicy.ERROR);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            float[] c = Tensors.toFloatArray(clipLoss.cosine(synthesize(latent.tensor(), latent.space()), tokens));
            double[] out = new double[c.length];
            for (int i = 0; i < c.length; i++) out[i] = c[i];
            return out;
        }
    }

    /** Latent optimization towards {@code prompt} with this generator's defaults. */
    public EditResult optimize(Latent start, String prompt) {
        return optimize(start, optimizationPreset().settings(prompt, seedOf(start)), null);
    }

    /**
     * Latent optimization (StyleCLIP's first method) of one W+ latent.
     *
     * @param observer sees every step (may be null)
     */
    public EditResult optimize(Latent start, LatentOptimization.Settings settings, LatentOptimization.Observer observer) {
        requireOne(start);
        if (settings.idLambda() > 0 && settings.mode() == dev.styleclip.edit.optimize.OptimizationMode.EDIT && id == null) {
            throw new SettingException("id-lambda", "needs the IR-SE50 weights (model_ir_se50.pth); give them, or set it to 0");
        }
        long t0 = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            LatentOptimization.Result r = new LatentOptimization(g, clipLoss, id).run(start.tensor(), settings, observer);
            Map<String, Object> p = provenance("optimize", settings.prompt(), start);
            p.put("space", settings.space() == OptimizationSpace.W ? "w" : settings.space() == OptimizationSpace.W_PLUS ? "w+" : "s");
            p.put("steps", settings.steps());
            p.put("lr", settings.lr());
            p.put("l2_lambda", settings.l2Lambda());
            p.put("l1_lambda", settings.l1Lambda());
            p.put("l1_ramp", settings.l1Ramp());
            p.put("l1_pull_share", settings.l1PullShare());
            p.put("retry_below", settings.retry().minGain());
            p.put("retry_l1", settings.retry().l1Lambda());
            p.put("smooth", settings.smoothing().samples());
            if (!settings.smoothing().none()) p.put("smooth_sigma", settings.smoothing().sigma());
            if (settings.idLambda() > 0) p.put("id_lambda", settings.idLambda());
            p.put("l1_lambda_used", r.l1Lambda());
            p.put("retried", r.retried().length > 0);
            p.put("clip_loss_first", r.losses().get(0).clip());
            List<LatentOptimization.StepLosses> last = r.retried().length > 0 ? r.retryLosses() : r.losses();
            p.put("clip_loss_last", last.get(last.size() - 1).clip());
            p.put("seconds", (System.nanoTime() - t0) / 1e9);
            return new EditResult("optimize", Images.toImage(r.startImage(), 0), Images.toImage(r.finalImage(), 0),
                    Latent.of(r.latent(), settings.space() == OptimizationSpace.S ? Latent.Space.S : Latent.Space.W_PLUS,
                            Map.of("edit", "optimize")), p);
        }
    }

    /** Inversion's defaults for this generator (the identity term only when IR-SE50 weights were given). */
    public InversionPreset inversionPreset() {
        return bundledGenerator ? InversionPreset.BUNDLED : InversionPreset.PUBLISHED;
    }

    /**
     * Inverts the picture in {@code image} with this generator's defaults ({@link #inversionPreset()}):
     * {@code encoder+optimize} where the bundled encoder fits (the bundled generator), optimization otherwise.
     */
    public InversionResult invert(Path image) throws IOException {
        InversionMethod m = bundledGenerator && BundledModels.has(BundledModels.ENCODER) ? InversionMethod.ENCODER_OPTIMIZE : InversionMethod.OPTIMIZE;
        return invert(image, inversionPreset().inversion(m, id != null), null);
    }

    /**
     * The encoder in {@code file} (null: the bundled encoder, for the bundled generator only), read once and kept until
     * {@link #close()}; a file for another generator's shape is refused naming both.
     */
    public synchronized Encoder encoder(Path file) throws IOException {
        Path path = file;
        if (path == null) {
            if (!bundledGenerator || !BundledModels.has(BundledModels.ENCODER)) {
                throw new SettingException("encoder", "must be given for this generator (an encoder from 'styleclip encoder train "
                        + "--generator G --out E.pt'); only the bundled generator has a bundled encoder");
            }
            path = BundledModels.path(BundledModels.ENCODER);
        }
        Encoder e = encoders.get(path);
        if (e == null) {
            e = Encoder.load(path, g.config(), models.labels().get("generator"));
            encoders.put(path, e);
        }
        return e;
    }

    /**
     * Inverts a picture: any image file ImageIO reads, centre-cropped to a square and resized to the generator's side
     * ({@link InputImages}), then projected into W or W+ by optimization ({@link Projector}). The result's latent
     * edits like any other ({@link #optimize}, {@link #mapper}, {@link #global}).
     *
     * @param observer sees every step (may be null)
     * @throws IOException a file that is missing or not an image, with a one-line message naming it
     */
    public InversionResult invert(Path image, InversionSettings settings, Projector.Observer observer) throws IOException {
        Projector.Settings s = settings.projector();
        if (settings.optimizes() && s.weights().id() > 0 && id == null) {
            throw new SettingException("id-lambda", "needs the IR-SE50 weights (model_ir_se50.pth); give them, or set it to 0");
        }
        int size = g.config().size();
        long t0 = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            Tensor target = InputImages.read(image, size); // [1, 3, S, S]
            String imageSha = Hashes.sha256(image);
            ClipFeatureDistance features = new ClipFeatureDistance(clip.model(), size);
            Tensor encoded = null;
            if (settings.usesEncoder()) encoded = encoder(settings.encoder()).encode(target); // [1, L, D]
            double encoderSeconds = (System.nanoTime() - t0) / 1e9;
            Projector.Result r;
            if (settings.optimizes()) {
                r = new Projector(g, features, id).run(target, encoded, s, observer);
            } else {
                r = Projector.Result.unrefined(g, encoded, encoderSeconds);
            }
            ImageMetrics.Values m = ImageMetrics.measure(r.image(), target, features);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> origin = new LinkedHashMap<>();
            origin.put("image", image.toString());
            origin.put("image_sha256", imageSha);
            origin.put("inversion", settings.method().label());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("tool", "styleclip invert");
            p.put("method", settings.method().label());
            p.putAll(origin);
            putModels(p);
            if (settings.usesEncoder()) {
                p.put("encoder", settings.encoder() != null ? settings.encoder().toString() : "bundled:" + BundledModels.ENCODER);
                p.put("encoder_sha256", Hashes.sha256(settings.encoder() != null ? settings.encoder() : BundledModels.path(BundledModels.ENCODER)));
                p.put("encoder_seconds", encoderSeconds);
            }
            if (settings.optimizes()) putProjector(p, s, features, r);

            p.put("psnr_db", Double.isFinite(m.psnr()) ? m.psnr() : null);
            p.put("ssim", m.ssim());
            p.put("clip_feature_distance", m.clipFeatureDistance());
            p.put("seconds", seconds);
            Map<String, RawTensor> noise = new LinkedHashMap<>();
            for (int i = 0; i < r.noise().size(); i++) noise.put("noise_" + i, Tensors.toRaw(r.noise().get(i)));
            return new InversionResult(settings.method().label(), Images.toImage(target, 0), Images.toImage(r.image(), 0),
                    Latent.of(r.latent(), Latent.Space.W_PLUS, origin), noise,
                    new InversionResult.Metrics(m.psnr(), m.ssim(), m.clipFeatureDistance(), seconds), p);
        }
    }

    private static void putProjector(Map<String, Object> p, Projector.Settings s, ClipFeatureDistance features, Projector.Result r) {
        p.put("space", s.space().label());
        p.put("steps", s.steps());
        p.put("lr", s.lr());
        p.put("mse_lambda", s.weights().mse());
        p.put("ssim_lambda", s.weights().ssim());
        p.put("clip_feature_lambda", s.weights().clipFeatures());
        p.put("clip_feature_blocks", features.blocks());
        p.put("id_lambda", s.weights().id());
        p.put("latent_noise", s.latentNoise());
        p.put("noise_ramp", s.noiseRamp());
        p.put("noise_regularize", s.noiseRegularize());
        p.put("noise_start", s.noiseStart().name().toLowerCase(java.util.Locale.ROOT));
        p.put("seed", s.seed());
        p.put("loss_first", r.losses().get(0).total());
        p.put("loss_last", r.losses().get(r.losses().size() - 1).total());
    }

    /** The bundled mapper trained for {@code prompt} (the bundled set only). */
    public EditResult mapper(Latent start, String prompt) throws IOException {
        List<String> known = bundledSet() ? BundledModels.mapperPrompts() : List.of();
        if (!known.contains(prompt)) {
            throw new SettingException("mapper", bundledSet()
                    ? "must be given: there is no bundled mapper for \"" + prompt + "\" (bundled mappers: " + String.join(", ", known) + ")"
                    : "must be given for these models (a mapper from 'styleclip mapper train')");
        }
        return mapper(start, BundledModels.path(BundledModels.mapperName(prompt)), "bundled:" + BundledModels.mapperName(prompt));
    }

    /** A latent mapper (StyleCLIP's second method) from a checkpoint: w + 0.1 * M(w). */
    public EditResult mapper(Latent start, Path checkpoint) throws IOException {
        return mapper(start, checkpoint, checkpoint.toString());
    }

    private EditResult mapper(Latent start, Path checkpoint, String label) throws IOException {
        requireWPlus(start);
        long t0 = System.nanoTime();
        MapperCheckpoint ckpt = MapperCheckpoint.read(checkpoint);
        Object description = ckpt.opts().get("description");
        try (LevelsMapper mapper = ckpt.mapper(); PointerScope scope = new PointerScope()) {
            MapperEdit.Result r = MapperEdit.apply(mapper, g, start.tensor());
            Map<String, Object> p = provenance("mapper", description == null ? null : description.toString(), start);
            p.put("mapper", label);
            p.put("mapper_sha256", Hashes.sha256(checkpoint));
            if (description != null) p.put("mapper_description", description);
            p.put("seconds", (System.nanoTime() - t0) / 1e9);
            return new EditResult("mapper", Images.toImage(r.original(), 0), Images.toImage(r.edited(), 0),
                    Latent.of(r.wHat(), Latent.Space.W_PLUS, Map.of("edit", "mapper")), p);
        }
    }

    /** A global direction towards {@code target} with the bundled directions and the default settings. */
    public EditResult global(Latent start, String target) throws IOException {
        return global(start, new GlobalDirections.Settings(DEFAULT_NEUTRAL, target, GlobalDirections.DEFAULT_ALPHA,
                GlobalDirections.DEFAULT_BETA), null);
    }

    /**
     * Global directions (StyleCLIP's third method).
     *
     * @param directions a folder from {@code global prepare} or with the published files; null: the bundled one (the
     *                   bundled set only)
     */
    public EditResult global(Latent start, GlobalDirections.Settings s, Path directions) throws IOException {
        requireOne(start);
        if (directions == null && !bundledSet()) {
            throw new SettingException("directions", "must be given for these models (a folder from 'styleclip global prepare')");
        }
        Path dir = directions != null ? directions : BundledModels.directions();
        long t0 = System.nanoTime();
        try (GlobalDirections gd = GlobalDirections.open(g, clip.model(), clipSha, dir); PointerScope scope = new PointerScope()) {
            Boundary b = gd.boundary(s.neutral(), s.target(), s.beta());
            Tensor from = start.tensor();
            Tensor codes = start.space() == Latent.Space.S ? gd.editCodes(from, b, s.alpha()) : gd.edit(from, b, s.alpha());
            Map<String, Object> p = provenance("global", s.target(), start);
            p.put("directions", directions == null ? "bundled:directions" : directions.toString());
            p.put("neutral", s.neutral());
            p.put("alpha", s.alpha());
            p.put("beta", s.beta());
            p.put("channels_changed", b.channels());
            p.put("seconds", (System.nanoTime() - t0) / 1e9);
            Tensor before = synthesize(from, start.space());
            return new EditResult("global", Images.toImage(before, 0), Images.toImage(gd.image(codes), 0),
                    Latent.of(codes, Latent.Space.S, Map.of("edit", "global")), p);
        }
    }

    private Tensor synthesize(Tensor latent, Latent.Space space) {
        try (NoGradGuard ng = new NoGradGuard()) {
            return space == Latent.Space.S
                    ? g.synthesizeFromStyles(dev.styleclip.stylegan2.StyleCodes.unflatten(latent, g.styleLayout()), NoiseMode.CONST)
                    : g.synthesize(latent, NoiseMode.CONST);
        }
    }

    private Map<String, Object> provenance(String method, String prompt, Latent start) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip edit");
        p.put("prompt", prompt);
        p.put("method", method);
        p.putAll(start.origin());
        putModels(p);
        return p;
    }

    /** Every model file's label and SHA-256. */
    private void putModels(Map<String, Object> p) {
        p.put("generator", models.labels().get("generator"));
        p.put("generator_sha256", generatorSha);
        p.put("clip", models.labels().get("clip"));
        p.put("clip_sha256", clipSha);
        if (models.arcface() != null) {
            p.put("arcface", models.labels().get("arcface"));
            p.put("arcface_sha256", arcfaceSha);
        }
    }

    private static long seedOf(Latent start) {
        return start.origin().get("seed") instanceof Number n ? n.longValue() : 0;
    }

    private void requireWPlus(Latent l) {
        if (l.space() != Latent.Space.W_PLUS) throw new IllegalArgumentException("this method edits W+ latents, not " + l.space());
    }

    private void requireOne(Latent l) {
        if (l.count() != 1) throw new IllegalArgumentException("an edit takes one latent, not " + l.count());
    }

    @Override
    public synchronized void close() {
        encoders.values().forEach(Encoder::close);
        encoders.clear();
        g.close();
        clip.close();
        if (id != null) id.close();
    }
}
