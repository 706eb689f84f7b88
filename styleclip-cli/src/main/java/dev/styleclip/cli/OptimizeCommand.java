package dev.styleclip.cli;

import com.google.gson.GsonBuilder;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.LatentSmoothing;
import dev.styleclip.edit.optimize.LooseRetry;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.tensor.Tensors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "optimize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Latent optimization (StyleCLIP's first method): move an image's latent so that it matches the prompt.",
                "Writes into --out DIR: final.png, before_after.png, step_NNNN.png every --save-every steps, latent.npy",
                "(reusable as --latent), losses.csv and provenance.json. Several prompts or seeds make one subfolder each."})
public final class OptimizeCommand implements Callable<Integer> {
    @Option(names = "--generator", required = true, paramLabel = "G", description = "StyleGAN2 generator checkpoint.")
    Path generator;

    @Option(names = "--clip", required = true, paramLabel = "C", description = "CLIP checkpoint.")
    Path clip;

    @Option(names = "--arcface", paramLabel = "A", description = "IR-SE50 weights (model_ir_se50.pth) for the identity loss.")
    Path arcface;

    @Option(names = "--prompt", required = true, arity = "1..*", paramLabel = "T", description = "Prompt(s).")
    List<String> prompts;

    @Option(names = "--latent", paramLabel = "FILE", description = "Start latent (.npy/.pt), see --latent-space.")
    Path latent;

    @Option(names = "--latent-space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of --latent (default: ${DEFAULT-VALUE}).")
    String latentSpace;

    @Option(names = "--seed", split = ",", arity = "1..*", paramLabel = "N", description = "Start from seed(s) (z -> w, truncated).")
    List<Long> seeds;

    @Option(names = "--mode", defaultValue = "edit", paramLabel = "edit|free", description = "edit (CLIP + l2 + ID) or free generation from the mean latent (CLIP only) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--space", defaultValue = "w+", paramLabel = "w+|w|s", description = "Optimize in W+, in W (one offset added to "
            + "every W+ row; not in StyleCLIP) or in style space S (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(names = "--steps", defaultValue = "300", description = "Adam steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--l2-lambda", defaultValue = "0.008", description = "Weight of the squared distance to the start (default: ${DEFAULT-VALUE}).")
    double l2Lambda;

    @Option(names = "--l1-lambda", defaultValue = "0", description = "Weight of the absolute distance to the start, which leaves "
            + "coordinates the prompt pulls weakly where they were; not in StyleCLIP (default: ${DEFAULT-VALUE}, off).")
    double l1Lambda;

    @Option(names = "--l1-ramp", defaultValue = "0", paramLabel = "F", description = "The share of the steps over which the L1 "
            + "weight rises from 0 to --l1-lambda, so that the edit first moves and the weakly pulled coordinates are pulled "
            + "back after (0: full weight from the first step; default: ${DEFAULT-VALUE}).")
    double l1Ramp;

    @Option(names = "--l1-pull-share", defaultValue = "0", paramLabel = "R", description = "Cap the L1 weight so that its pull on a "
            + "coordinate is at most R times the prompt's pull (the median, over 16 generator samples, of CLIP's largest gradient "
            + "coordinate): a prompt CLIP pulls on weakly is held back less; not in StyleCLIP (default: ${DEFAULT-VALUE}, no cap). W+ and W only.")
    double l1PullShare;

    @Option(names = "--retry-below", defaultValue = "0", paramLabel = "G", description = "Optimize again, from the start and with "
            + "the L1 weight --retry-l1, when CLIP's cosine to the prompt rose by less than G; its steps go to losses_retry.csv. "
            + "Not in StyleCLIP (default: ${DEFAULT-VALUE}, one pass). Edit mode only.")
    double retryBelow;

    @Option(names = "--retry-l1", defaultValue = "0", paramLabel = "L", description = "The L1 weight of that second pass (default: ${DEFAULT-VALUE}).")
    double retryL1;

    @Option(names = "--id-lambda", defaultValue = "0.005", description = "Weight of the identity loss; 0 turns it off (default: ${DEFAULT-VALUE}).")
    double idLambda;

    @Option(names = "--smooth", defaultValue = "0", description = "Average the CLIP loss over N latents near the current one per "
            + "step, moved by Gaussian offsets in W; not in StyleCLIP (default: ${DEFAULT-VALUE}, off). W+ and W only.")
    int smooth;

    @Option(names = "--smooth-sigma", defaultValue = "0.6", description = "Standard deviation of those offsets per W coordinate "
            + "(default: ${DEFAULT-VALUE}).")
    double smoothSigma;

    @Option(names = "--views", defaultValue = "0", description = "Average the CLIP loss over N random crops (80-100%% of the side) "
            + "and mirrorings per step; not in StyleCLIP (default: ${DEFAULT-VALUE}, the image as it is).")
    int views;

    @Option(names = "--truncation", defaultValue = "0.7", description = "Truncation of seed starts (default: ${DEFAULT-VALUE}).")
    double truncation;

    @Option(names = "--save-every", defaultValue = "20", description = "Write an intermediate image every N steps; 0 = never (default: ${DEFAULT-VALUE}).")
    int saveEvery;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptimizationMode m = switch (mode) {
            case "edit" -> OptimizationMode.EDIT;
            case "free", "free_generation" -> OptimizationMode.FREE;
            default -> throw usage("--mode must be edit or free");
        };
        OptimizationSpace sp;
        try {
            sp = OptimizationSpace.parse(space);
        } catch (IllegalArgumentException e) {
            throw usage("--space: " + e.getMessage());
        }
        if (views < 0) throw usage("--views must be 0 or more");
        if (l1Lambda < 0) throw usage("--l1-lambda must be 0 or more");
        if (!(l1Ramp >= 0 && l1Ramp <= 1)) throw usage("--l1-ramp must lie in [0, 1]");
        OptionChecks.finiteNonNegative(spec, "--l1-pull-share", l1PullShare);
        OptionChecks.finiteNonNegative(spec, "--retry-below", retryBelow);
        OptionChecks.finiteNonNegative(spec, "--retry-l1", retryL1);
        if (retryBelow > 0 && m != OptimizationMode.EDIT) throw usage("--retry-below works in edit mode, where there is a start to gain on");
        if (smooth < 0 || smoothSigma <= 0) throw usage("--smooth must be 0 or more and --smooth-sigma above 0");
        if (smooth > 0 && sp == OptimizationSpace.S) throw usage("--smooth works with --space w+ or w, not s");
        if (l1PullShare > 0 && sp == OptimizationSpace.S) throw usage("--l1-pull-share works with --space w+ or w, not s");
        if (steps < 1) throw usage("--steps must be >= 1");
        if (latent != null && seeds != null) throw usage("give --latent or --seed, not both");
        if (m == OptimizationMode.EDIT && latent == null && seeds == null) throw usage("edit mode needs --latent or --seed");
        boolean useId = m == OptimizationMode.EDIT && idLambda > 0;
        if (useId && arcface == null) {
            throw usage("--id-lambda " + idLambda + " needs --arcface (model_ir_se50.pth), or pass --id-lambda 0");
        }
        LatentSpace ls = LatentSpace.parse(latentSpace);
        for (String p : prompts) Texts.tokenize(spec.commandLine(), List.of(p), false);
        try (Generator g = Generator.load(generator); ClipModel model = ClipModel.load(clip);
             IdLoss id = useId ? IdLoss.load(arcface) : null) {
            LatentOptimization method = new LatentOptimization(g, ClipLoss.forModel(model, g.config().size()), id);
            List<Long> runs = seeds != null ? seeds : java.util.Collections.singletonList(null);
            boolean many = prompts.size() * runs.size() > 1;
            for (String prompt : prompts) {
                for (Long seed : runs) {
                    Path dir = many ? out.resolve(slug(prompt) + (seed != null ? "_seed" + seed : "")) : out;
                    runOne(g, method, m, sp, ls, prompt, seed, dir);
                }
            }
        }
        return 0;
    }

    private void runOne(Generator g, LatentOptimization method, OptimizationMode m, OptimizationSpace sp, LatentSpace ls,
                        String prompt, Long seed, Path dir) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Tensor start;
            try (NoGradGuard ng = new NoGradGuard()) {
                if (m == OptimizationMode.FREE && latent == null) start = method.meanStart();
                else if (latent != null) start = Latents.toWPlus(g, Tensors.fromRawAsFloat(TensorFiles.readSingle(latent)), ls, 1.0);
                else start = Latents.toWPlus(g, Latents.seedZ(seed, g.config().styleDim()), LatentSpace.Z, truncation);
            }
            if (start.size(0) != 1) throw usage("--latent holds " + start.size(0) + " latents; optimization takes one");
            var settings = new LatentOptimization.Settings(prompt, m, sp, steps, lr, l2Lambda, idLambda,
                    dev.styleclip.clip.ClipViews.of(views, seed != null ? seed : 0),
                    LatentSmoothing.of(smooth, smoothSigma, seed != null ? seed : 0), l1Lambda, l1Ramp, l1PullShare,
                    new LooseRetry(retryBelow, retryL1));
            Map<String, String> text = Map.of("styleclip", provenanceJson(prompt, seed));
            AtomicFiles.write(dir.resolve("provenance.json"), provenanceJson(prompt, seed).getBytes(StandardCharsets.UTF_8));
            try (ProgressBar bar = Progress.bar(slug(prompt), steps, "steps")) {
                var result = method.run(start, settings, new LatentOptimization.Observer() {
                    StringBuilder csv = new StringBuilder(LOSSES_HEADER);
                    String csvName = "losses.csv";
                    String stepName = "step_%04d.png";

                    @Override
                    public void onStep(LatentOptimization.StepLosses losses, Tensor image, Tensor lat, Tensor grad) {
                        csv.append(String.format("%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g%n", losses.step(), losses.lr(), losses.clip(),
                                losses.l2(), losses.l1(), losses.id(), losses.total()));
                        try {
                            AtomicFiles.write(dir.resolve(csvName), csv.toString().getBytes(StandardCharsets.UTF_8));
                            if (saveEvery > 0 && losses.step() % saveEvery == 0) {
                                Images.write(dir.resolve(String.format(stepName, losses.step())), Images.toImage(image, 0), text);
                                Npy.write(dir.resolve("latent.npy"), Tensors.toRaw(lat));
                            }
                            bar.stepTo(losses.step() + 1);
                            bar.setExtraMessage(String.format(" clip=%.4f l2=%.4f id=%.4f", losses.clip(), losses.l2(), losses.id()));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void onRetry(long[] rows, double l1) {
                        csv = new StringBuilder(LOSSES_HEADER);
                        csvName = "losses_retry.csv";
                        stepName = "retry_step_%04d.png";
                        bar.setExtraMessage(" CLIP barely moved; again with L1 " + l1);
                        bar.stepTo(0);
                    }
                });
                Npy.write(dir.resolve("latent.npy"), Tensors.toRaw(result.latent()));
                Images.write(dir.resolve("final.png"), Images.toImage(result.finalImage(), 0), text);
                Images.write(dir.resolve("before_after.png"),
                        Images.strip(List.of(Images.toImage(result.startImage(), 0), Images.toImage(result.finalImage(), 0))), text);
                var last = result.losses().get(result.losses().size() - 1);
                if (result.retried().length > 0) {
                    last = result.retryLosses().get(result.retryLosses().size() - 1);
                    spec.commandLine().getOut().printf("%s: CLIP's cosine rose by less than %s; optimized again with L1 weight %s%n",
                            prompt, retryBelow, retryL1);
                }
                spec.commandLine().getOut().printf("%s: clip %.4f -> %.4f; wrote %s%n", prompt,
                        result.losses().get(0).clip(), last.clip(), dir.resolve("before_after.png"));
                spec.commandLine().getOut().flush();
            }
        }
    }

    private static final String LOSSES_HEADER = "step,lr,clip,l2,l1,id,total\n";

    static String slug(String prompt) {
        String s = prompt.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() ? "prompt" : s.length() > 48 ? s.substring(0, 48) : s;
    }

    private String provenanceJson(String prompt, Long seed) throws java.io.IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip optimize");
        p.put("prompt", prompt);
        if (seed != null) p.put("seed", seed);
        if (latent != null) {
            p.put("latent", latent.toString());
            p.put("latent_sha256", Hashes.sha256(latent));
            p.put("latent_space", latentSpace);
        }
        p.put("mode", mode);
        p.put("space", space);
        p.put("steps", steps);
        p.put("lr", lr);
        p.put("l2_lambda", l2Lambda);
        p.put("l1_lambda", l1Lambda);
        p.put("l1_ramp", l1Ramp);
        p.put("l1_pull_share", l1PullShare);
        p.put("retry_below", retryBelow);
        p.put("retry_l1", retryL1);
        p.put("id_lambda", idLambda);
        p.put("views", views);
        p.put("smooth", smooth);
        p.put("smooth_sigma", smoothSigma);
        p.put("truncation", truncation);
        p.put("generator", generator.toString());
        p.put("generator_sha256", Hashes.sha256(generator));
        p.put("clip", clip.toString());
        p.put("clip_sha256", Hashes.sha256(clip));
        if (arcface != null) {
            p.put("arcface", arcface.toString());
            p.put("arcface_sha256", Hashes.sha256(arcface));
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(p);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
