package dev.styleclip.cli;

import dev.styleclip.io.FileNames;
import com.google.gson.Gson;
import dev.styleclip.EditResult;
import dev.styleclip.Latent;
import dev.styleclip.StyleClip;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.edit.optimize.RunFiles;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stylegan2.LatentSpace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "optimize", mixinStandardHelpOptions = true, sortOptions = false,
        synopsisHeading = "%nUsage: ", customSynopsis = "styleclip optimize --generator G --clip C (--arcface A | --id-lambda 0) "
                + "--prompt T... (--latent F | --seed N... | --mode free) [OPTIONS] --out DIR",
        description = {"Latent optimization (StyleCLIP's first method): move an image's latent so that it matches the prompt.",
                "The defaults are StyleCLIP's: 300 steps in W+, l2 0.008 and an identity loss of weight 0.005, which needs the "
                        + "IR-SE50 weights (--arcface model_ir_se50.pth); --id-lambda 0 runs without it.",
                "Writes final.png, before_after.png, latent.npy (reusable as --latent), losses.csv, provenance.json and an "
                        + "image every --save-every steps (step_NNNN.png) into --out DIR, created if needed; files of the same names "
                        + "are replaced. "
                        + "Several prompts or seeds make one subfolder each; a run that fails or is stopped (Ctrl-C) leaves nothing "
                        + "of its own, the runs that finished before it stay."})
public final class OptimizeCommand implements Callable<Integer>, HelpFooter {
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

    @Option(names = "--mode", defaultValue = "edit", paramLabel = "edit|free", description = "edit (CLIP + l2 + ID from a start) or "
            + "free generation from the mean latent (CLIP only) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Mixin
    OptimizationOptions optimization;

    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of seed starts, in (0, 1] (default: 0.7).")
    Double truncation;

    @Option(names = "--save-every", defaultValue = "20", paramLabel = "N", description = "Write an intermediate image every N steps; "
            + "0: never (default: ${DEFAULT-VALUE}).")
    int saveEvery;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public String[] helpFooter() {
        return OptimizationOptions.defaultsFooter(List.of("(StyleCLIP's)"), List.of(OptimizationPreset.REFERENCE));
    }

    @Override
    public Integer call() throws Exception {
        OptimizationMode m = switch (mode) {
            case "edit" -> OptimizationMode.EDIT;
            case "free", "free_generation" -> OptimizationMode.FREE;
            default -> throw new SettingException("mode", "must be edit or free, not " + mode);
        };
        LatentSpace space = OptionChecks.latentSpace("latent-space", latentSpace);
        Checks.atLeast("save-every", saveEvery, 0);
        double psi = Checks.openClosed("truncation", truncation != null ? truncation : OptimizationPreset.REFERENCE.truncation(), 0, 1);
        if (latent != null && seeds != null) throw usage("give --latent or --seed, not both");
        if (m == OptimizationMode.EDIT && latent == null && seeds == null) throw usage("edit mode needs --latent or --seed");
        List<Long> runs = seeds != null ? seeds : Collections.singletonList(null);
        Map<String, LatentOptimization.Settings> settings = new LinkedHashMap<>();
        for (String p : prompts) {
            Texts.tokenize(spec.commandLine(), List.of(p), false);
            for (Long seed : runs) settings.put(p + "\n" + seed, optimization.settings(OptimizationPreset.REFERENCE, p, m, seed != null ? seed : 0));
        }
        boolean useId = settings.values().iterator().next().idLambda() > 0 && m == OptimizationMode.EDIT;
        if (useId && arcface == null) {
            throw usage("--id-lambda " + settings.values().iterator().next().idLambda() + " needs --arcface (model_ir_se50.pth), or pass --id-lambda 0");
        }
        OutputFiles.checkFolder(out);
        try (StyleClip sc = StyleClip.open(StyleClip.Models.of(generator, clip, useId ? arcface : null))) {
            boolean many = settings.size() > 1;
            for (String p : prompts) {
                for (Long seed : runs) {
                    Latent start = m == OptimizationMode.FREE && latent == null ? sc.mean()
                            : latent != null ? sc.readLatent(latent, space) : sc.seed(seed, psi);
                    if (start.count() != 1) throw usage("--latent holds " + start.count() + " latents; optimization takes one");
                    Path dir = many ? out.resolve(FileNames.slug(p, 48) + (seed != null ? "_seed" + seed : "")) : out;
                    runOne(sc, start, settings.get(p + "\n" + seed), m, dir);
                }
            }
        }
        return 0;
    }

    private void runOne(StyleClip sc, Latent start, LatentOptimization.Settings s, OptimizationMode m, Path dir) throws IOException {
        try (OutputFiles files = new OutputFiles()) {
            Path d = files.folder(dir);
            Map<String, String> text = Map.of("styleclip", new Gson().toJson(Map.of("tool", "styleclip optimize", "prompt", s.prompt())));
            EditResult r = sc.optimize(start, s, new RunFiles(files, d, saveEvery, text, StepPrinter.forOptimization(spec.commandLine().getErr(), s)));
            Map<String, Object> p = new LinkedHashMap<>(r.provenance());
            p.put("tool", "styleclip optimize");
            p.put("mode", m == OptimizationMode.EDIT ? "edit" : "free");
            p.put("views", s.views().count());
            p.put("id_lambda", s.idLambda());
            r = r.withProvenance(p);
            for (String f : List.of("final.png", "latent.npy", "provenance.json", "before_after.png")) files.claim(d.resolve(f));
            r.save(d);
            files.commit();
            var o = spec.commandLine().getOut();
            if (Boolean.TRUE.equals(p.get("retried"))) {
                o.printf("%s: CLIP's cosine rose by less than %s; optimized again with L1 weight %s%n", s.prompt(), s.retry().minGain(),
                        s.retry().l1Lambda());
            }
            o.printf("%s: clip %.4f -> %.4f; wrote %s%n", s.prompt(), (Double) p.get("clip_loss_first"), (Double) p.get("clip_loss_last"),
                    d.resolve("before_after.png"));
            o.flush();
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
