package dev.styleclip.cli;

import com.google.gson.GsonBuilder;
import dev.styleclip.bundled.BundledModels;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.DirectionsFolder;
import dev.styleclip.edit.global.StyleEdit;
import dev.styleclip.edit.global.StyleStats;
import dev.styleclip.edit.global.TextDirection;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.LatentSmoothing;
import dev.styleclip.edit.optimize.LooseRetry;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.tensor.Tensors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit an image with text, by any of StyleCLIP's methods; with no model files given it uses the "
                + "bundled models (a 64-px generator and a small CLIP trained on the project's portrait world).",
                "Writes into --out DIR: before_after.png (the original and the edit side by side), final.png, "
                        + "latent.npy (the edited W+, or S codes for --method global) and provenance.json."})
public final class EditCommand implements Callable<Integer> {
    enum Method { optimize, mapper, global }

    @Option(names = "--prompt", required = true, paramLabel = "T", description = "What the image should become, e.g. \"mohawk hairstyle\".")
    String prompt;

    @Option(names = "--method", defaultValue = "optimize", paramLabel = "M",
            description = "optimize (latent optimization, works for any prompt), mapper (a latent mapper trained for the prompt: "
                    + "--mapper, or one of the bundled ones) or global (global directions in S) (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--mapper", paramLabel = "FILE", description = "mapper: the mapper checkpoint (default: the bundled mapper for --prompt).")
    Path mapperFile;

    @Option(names = "--seed", paramLabel = "N", description = "Start from the image of this seed (default: 0 unless --latent).")
    Long seed;

    @Option(names = "--latent", paramLabel = "FILE", description = "Start latent (.npy/.pt) in --latent-space.")
    Path latent;

    @Option(names = "--latent-space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of --latent (default: ${DEFAULT-VALUE}).")
    String latentSpace;

    @Option(names = "--generator", paramLabel = "G", description = "StyleGAN2 checkpoint (default: the bundled 64-px world generator).")
    Path generator;

    @Option(names = "--clip", paramLabel = "C", description = "CLIP checkpoint (default: the bundled small CLIP).")
    Path clip;

    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of a seed's latent (default: 1.0 for the bundled generator, 0.7 otherwise).")
    Double truncation;

    @Option(names = "--space", paramLabel = "w|w+", description = "optimize: the latent that moves: w (one offset shared by "
            + "every layer) or w+ (a vector per layer, as StyleCLIP) (default: w for the bundled generator, which is trained "
            + "to draw what lies between its codes along shared rows; w+ otherwise).")
    String space;

    @Option(names = "--steps", paramLabel = "N", description = "optimize: Adam steps (default: " + Defaults.BUNDLED_STEPS
            + " for the bundled generator, " + Defaults.PUBLISHED_STEPS + " otherwise).")
    Integer steps;

    @Option(names = "--lr", defaultValue = "0.1", paramLabel = "LR", description = "optimize: peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--l2-lambda", paramLabel = "L", description = "optimize: weight of the distance to the start (default: "
            + Defaults.BUNDLED_L2 + " for the bundled generator, StyleCLIP's " + Defaults.PUBLISHED_L2 + " otherwise).")
    Double l2Lambda;

    @Option(names = "--l1-lambda", paramLabel = "L", description = "optimize: weight of the absolute distance to the start, "
            + "which leaves the coordinates the prompt pulls weakly where they were (not in StyleCLIP; default: "
            + Defaults.BUNDLED_L1 + " for the bundled generator, " + Defaults.PUBLISHED_L1 + " otherwise).")
    Double l1Lambda;

    @Option(names = "--l1-ramp", paramLabel = "F", description = "optimize: the share of the steps over which the L1 weight "
            + "rises from 0 to --l1-lambda, so that the edit first moves and the weakly pulled coordinates are pulled back "
            + "after (not in StyleCLIP; 0: full weight from the first step; default: " + Defaults.BUNDLED_L1_RAMP
            + " for the bundled generator, " + Defaults.PUBLISHED_L1_RAMP + " otherwise).")
    Double l1Ramp;

    @Option(names = "--l1-pull-share", paramLabel = "R", description = "optimize: cap the L1 weight so that its pull on a coordinate "
            + "is at most R times the prompt's pull (the median, over 16 generator samples, of CLIP's largest gradient coordinate), so "
            + "a prompt CLIP pulls on weakly is held back less (not in StyleCLIP; 0: no cap; default: " + Defaults.BUNDLED_L1_PULL_SHARE
            + " for the bundled generator, " + Defaults.PUBLISHED_L1_PULL_SHARE + " otherwise).")
    Double l1PullShare;

    @Option(names = "--retry-below", paramLabel = "G", description = "optimize: optimize again, from the start and with the L1 "
            + "weight --retry-l1, when CLIP's cosine to the prompt rose by less than G: where the prompt pulls on nothing harder "
            + "than the L1 term holds, the first pass leaves the image as it was (not in StyleCLIP; 0: one pass; default: "
            + Defaults.BUNDLED_RETRY_BELOW + " for the bundled generator, " + Defaults.PUBLISHED_RETRY_BELOW + " otherwise).")
    Double retryBelow;

    @Option(names = "--retry-l1", paramLabel = "L", description = "optimize: the L1 weight of that second pass (default: "
            + Defaults.BUNDLED_RETRY_L1 + " for the bundled generator, " + Defaults.PUBLISHED_RETRY_L1 + " otherwise).")
    Double retryL1;

    @Option(names = "--smooth", defaultValue = "4", paramLabel = "K", description = "optimize: average the CLIP loss over K latents "
            + "near the current one each step (Gaussian offsets in W; not in StyleCLIP; 0 turns it off). Against the bundled "
            + "CLIP it keeps the edit to the prompt (default: ${DEFAULT-VALUE}).")
    int smooth;

    @Option(names = "--smooth-sigma", paramLabel = "S", description = "optimize: standard deviation of those offsets per W "
            + "coordinate (default: " + Defaults.BUNDLED_SIGMA + " for the bundled generator, whose attribute classes lie 0.5 "
            + "apart along its axes; " + Defaults.PUBLISHED_SIGMA + " otherwise).")
    Double smoothSigma;

    @Option(names = "--directions", paramLabel = "DIR", description = "global: folder from 'global prepare' (default: the bundled one for the bundled models).")
    Path directions;

    @Option(names = "--neutral", defaultValue = "a portrait", paramLabel = "T", description = "global: the neutral text (default: ${DEFAULT-VALUE}).")
    String neutral;

    @Option(names = "--alpha", defaultValue = "4.1", paramLabel = "A", description = "global: edit strength (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.15", paramLabel = "B", description = "global: disentanglement threshold (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--out", defaultValue = "out/edit", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    /** Latent optimization's defaults: tuned on the bundled set (world eval's table), and for published generators. */
    static final class Defaults {
        static final int BUNDLED_STEPS = BundledModels.OPTIMIZE_STEPS;
        static final int PUBLISHED_STEPS = 100;
        static final double BUNDLED_L2 = BundledModels.OPTIMIZE_L2;
        static final double PUBLISHED_L2 = 0.008;
        static final double BUNDLED_L1 = BundledModels.OPTIMIZE_L1;
        static final double PUBLISHED_L1 = 0;
        static final double BUNDLED_L1_RAMP = BundledModels.OPTIMIZE_L1_RAMP;
        static final double PUBLISHED_L1_RAMP = 0;
        static final double BUNDLED_L1_PULL_SHARE = BundledModels.OPTIMIZE_L1_PULL_SHARE;
        static final double PUBLISHED_L1_PULL_SHARE = 0;
        static final double BUNDLED_RETRY_BELOW = BundledModels.OPTIMIZE_RETRY_BELOW;
        static final double PUBLISHED_RETRY_BELOW = 0;
        static final double BUNDLED_RETRY_L1 = BundledModels.OPTIMIZE_RETRY_L1;
        static final double PUBLISHED_RETRY_L1 = 0;
        static final double BUNDLED_SIGMA = BundledModels.OPTIMIZE_SMOOTH_SIGMA;
        static final double PUBLISHED_SIGMA = 0.6;

        private Defaults() {
        }
    }

    @Override
    public Integer call() throws Exception {
        if (seed != null && latent != null) throw usage("give --seed or --latent, not both");
        boolean bundledG = generator == null, bundledClip = clip == null;
        int steps = this.steps != null ? this.steps : bundledG ? Defaults.BUNDLED_STEPS : Defaults.PUBLISHED_STEPS;
        double l2Lambda = this.l2Lambda != null ? this.l2Lambda : bundledG ? Defaults.BUNDLED_L2 : Defaults.PUBLISHED_L2;
        double l1Lambda = this.l1Lambda != null ? this.l1Lambda : bundledG ? Defaults.BUNDLED_L1 : Defaults.PUBLISHED_L1;
        double l1Ramp = this.l1Ramp != null ? this.l1Ramp : bundledG ? Defaults.BUNDLED_L1_RAMP : Defaults.PUBLISHED_L1_RAMP;
        double l1PullShare = this.l1PullShare != null ? this.l1PullShare : bundledG ? Defaults.BUNDLED_L1_PULL_SHARE : Defaults.PUBLISHED_L1_PULL_SHARE;
        double retryBelow = this.retryBelow != null ? this.retryBelow : bundledG ? Defaults.BUNDLED_RETRY_BELOW : Defaults.PUBLISHED_RETRY_BELOW;
        double retryL1 = this.retryL1 != null ? this.retryL1 : bundledG ? Defaults.BUNDLED_RETRY_L1 : Defaults.PUBLISHED_RETRY_L1;
        double smoothSigma = this.smoothSigma != null ? this.smoothSigma : bundledG ? Defaults.BUNDLED_SIGMA : Defaults.PUBLISHED_SIGMA;
        OptimizationSpace space = bundledG ? OptimizationSpace.W : OptimizationSpace.W_PLUS;
        if (this.space != null) {
            String wrong = "--space must be w or w+, not " + this.space;
            try {
                space = OptimizationSpace.parse(this.space);
            } catch (IllegalArgumentException e) {
                throw usage(wrong);
            }
            if (space == OptimizationSpace.S) throw usage(wrong);
        }
        if (steps < 1 || lr <= 0 || l2Lambda < 0 || l1Lambda < 0) {
            throw usage("--steps and --lr must be positive, --l2-lambda and --l1-lambda not negative");
        }
        if (!(l1Ramp >= 0 && l1Ramp <= 1)) throw usage("--l1-ramp must lie in [0, 1]");
        OptionChecks.finiteNonNegative(spec, "--l1-pull-share", l1PullShare);
        OptionChecks.finiteNonNegative(spec, "--retry-below", retryBelow);
        OptionChecks.finiteNonNegative(spec, "--retry-l1", retryL1);
        if (beta <= 0 || beta >= 1) throw usage("--beta must be in (0, 1)");
        if (smooth < 0 || smoothSigma <= 0) throw usage("--smooth must be 0 or more and --smooth-sigma above 0");
        if (generator == null) dev.styleclip.tensor.Engine.preferThreads(1); // the bundled models are small
        Path gPath = bundledG ? BundledModels.path(BundledModels.GENERATOR) : generator;
        Path cPath = bundledClip ? BundledModels.path(BundledModels.CLIP) : clip;
        double psi = truncation != null ? truncation : bundledG ? BundledModels.TRUNCATION : 0.7;
        if (Files.exists(out) && !Files.isDirectory(out)) throw new java.io.IOException(out + " exists and is not a folder");
        var o = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try (Generator g = Generator.load(gPath); ClipModel model = ClipModel.load(cPath); PointerScope scope = new PointerScope()) {
            // the bundled CLIP learned on CLIP-normalised pixels; a published one gets StyleCLIP's unnormalised recipe
            ClipLoss loss = ClipLoss.forModel(model, g.config().size());
            Tensor start;
            try (NoGradGuard ng = new NoGradGuard()) {
                start = latent != null
                        ? Latents.toWPlus(g, Tensors.fromRawAsFloat(TensorFiles.readSingle(latent)), LatentSpace.parse(latentSpace), 1.0)
                        : Latents.toWPlus(g, Latents.seedZ(seed != null ? seed : 0, g.config().styleDim()), LatentSpace.Z, psi);
            }
            Tensor before, after, saved;
            Map<String, Object> details = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            if (method == Method.optimize) {
                var settings = new LatentOptimization.Settings(prompt, OptimizationMode.EDIT, space, steps, lr, l2Lambda, 0)
                        .withSmoothing(LatentSmoothing.of(smooth, smoothSigma, seed != null ? seed : 0)).withL1(l1Lambda)
                        .withL1Ramp(l1Ramp).withL1PullShare(l1PullShare).withRetry(new LooseRetry(retryBelow, retryL1));
                var result = new LatentOptimization(g, loss, null).run(start, settings, new LatentOptimization.Observer() {
                    StepPrinter printer = new StepPrinter(err, "optimize", Math.max(1, steps / 10));

                    @Override
                    public void onStep(LatentOptimization.StepLosses l, Tensor image, Tensor latent, Tensor grad) {
                        printer.step(l.step(), steps, String.format("clip %.4f l2 %.4f l1 %.4f", l.clip(), l.l2(), l.l1()));
                    }

                    @Override
                    public void onRetry(long[] rows, double l1) {
                        err.printf("optimize: CLIP's cosine rose by less than %s; again from the start with L1 weight %s%n", retryBelow, l1);
                        printer = new StepPrinter(err, "optimize (retry)", Math.max(1, steps / 10));
                    }
                });
                before = result.startImage();
                after = result.finalImage();
                saved = result.latent();
                details.put("l1_lambda_used", result.l1Lambda());
                details.put("retried", result.retried().length > 0);
                details.put("clip_loss_first", result.losses().get(0).clip());
                details.put("clip_loss_last", result.losses().get(result.losses().size() - 1).clip());
            } else if (method == Method.mapper) {
                Path mPath = mapperFile;
                if (mPath == null) {
                    List<String> known = bundledG && bundledClip ? BundledModels.mapperPrompts() : List.of();
                    if (!known.contains(prompt)) {
                        throw usage(bundledG && bundledClip
                                ? "no bundled mapper for \"" + prompt + "\"; bundled mappers: " + known + " (or give --mapper FILE)"
                                : "--method mapper needs --mapper FILE (from 'styleclip mapper train') for these models");
                    }
                    mPath = BundledModels.path(BundledModels.mapperName(prompt));
                }
                var ckpt = dev.styleclip.edit.mapper.MapperCheckpoint.read(mPath);
                try (var mapper = ckpt.mapper(); NoGradGuard ng = new NoGradGuard()) {
                    saved = mapper.edit(start);
                    before = g.synthesize(start, NoiseMode.CONST);
                    after = g.synthesize(saved, NoiseMode.CONST);
                }
                details.put("mapper", mapperFile == null ? "bundled:" + BundledModels.mapperName(prompt) : mPath.toString());
                if (ckpt.opts().get("description") != null) details.put("mapper_description", ckpt.opts().get("description"));
            } else {
                Path dir = directions != null ? directions : bundledG && bundledClip ? BundledModels.directions() : null;
                if (dir == null) throw usage("--method global needs --directions DIR (from 'styleclip global prepare') for these models");
                try (NoGradGuard ng = new NoGradGuard()) {
                    DirectionsFolder folder = new DirectionsFolder(dir);
                    Tensor fs3 = folder.fs3();
                    StyleStats stats = folder.stats();
                    folder.check(g, fs3, stats);
                    Tensor dt = folder.direction(new TextDirection(model), Hashes.sha256(cPath), neutral, prompt);
                    Boundary b = Boundary.of(fs3, dt, g.styleLayout(), stats.std(), beta);
                    Tensor s = StyleCodes.flatten(g.styles(start));
                    saved = StyleEdit.apply(s, b.deltaS(), alpha);
                    before = g.synthesize(start, NoiseMode.CONST);
                    after = g.synthesizeFromStyles(StyleCodes.unflatten(saved, g.styleLayout()), NoiseMode.CONST);
                    details.put("channels_changed", b.channels());
                }
            }
            details.put("seconds", (System.nanoTime() - t0) / 1e9);
            Files.createDirectories(out);
            Map<String, Object> prov = new LinkedHashMap<>();
            prov.put("tool", "styleclip edit");
            prov.put("prompt", prompt);
            prov.put("method", method.name());
            prov.put("seed", latent == null ? (seed != null ? seed : 0) : null);
            prov.put("latent", latent == null ? null : latent.toString());
            prov.put("truncation", psi);
            prov.put("generator", bundledG ? "bundled:" + BundledModels.GENERATOR : gPath.toString());
            prov.put("generator_sha256", Hashes.sha256(gPath));
            prov.put("clip", bundledClip ? "bundled:" + BundledModels.CLIP : cPath.toString());
            prov.put("clip_sha256", Hashes.sha256(cPath));
            if (method == Method.optimize) {
                prov.put("space", space == OptimizationSpace.W ? "w" : "w+");
                prov.put("steps", steps);
                prov.put("lr", lr);
                prov.put("l2_lambda", l2Lambda);
                prov.put("l1_lambda", l1Lambda);
                prov.put("l1_ramp", l1Ramp);
                prov.put("l1_pull_share", l1PullShare);
                prov.put("retry_below", retryBelow);
                prov.put("retry_l1", retryL1);
                prov.put("smooth", smooth);
                if (smooth > 0) prov.put("smooth_sigma", smoothSigma);
            } else {
                prov.put("neutral", neutral);
                prov.put("alpha", alpha);
                prov.put("beta", beta);
            }
            prov.putAll(details);
            String json = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(prov);
            Map<String, String> text = Map.of("styleclip", json);
            Tensor b0 = clamp(before), a0 = clamp(after);
            Images.write(out.resolve("final.png"), Images.toImage(a0, 0), text);
            Npy.write(out.resolve("latent.npy"), Tensors.toRaw(saved));
            AtomicFiles.write(out.resolve("provenance.json"), (json + "\n").getBytes(StandardCharsets.UTF_8));
            Path strip = out.resolve("before_after.png");
            Images.write(strip, Images.strip(List.of(Images.toImage(b0, 0), Images.toImage(a0, 0))), text);
            o.printf("\"%s\" by %s in %.1f s: wrote %s (left: before, right: after)%n", prompt, method,
                    (System.nanoTime() - t0) / 1e9, strip);
        }
        o.flush();
        return 0;
    }

    private static Tensor clamp(Tensor x) {
        return x.detach().clamp(new ScalarOptional(new Scalar(-1)), new ScalarOptional(new Scalar(1)));
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
