package dev.styleclip.cli;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.DirectionsFolder;
import dev.styleclip.edit.global.StyleEdit;
import dev.styleclip.edit.global.StyleStats;
import dev.styleclip.edit.global.TextDirection;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Hashes;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.train.classifier.AttributeClassifier;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import dev.styleclip.clip.ClipViews;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.LatentSmoothing;
import dev.styleclip.edit.optimize.LooseRetry;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationSpace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge text edits on the world with the attribute classifier (which never guides an edit).",
                "Per prompt and method, over the first --seeds seeds whose portrait can take the edit: edit success "
                        + "(the target attribute is predicted after the edit), preservation (the share of the other "
                        + "attributes left unchanged) and the CLIP similarity to the prompt before and after; and how "
                        + "recognisable the generator's samples are. Writes DIR/table.md, DIR/table.csv, DIR/seeds.csv (every seed's result) and a "
                        + "before/after sheet per prompt and method (first 8 seeds: top row before, bottom row after)."})
public final class WorldEvalCommand implements Callable<Integer> {
    @Option(names = "--generator", paramLabel = "G", description = "Generator (default: the bundled one).")
    Path generator;

    @Option(names = "--clip", paramLabel = "C", description = "CLIP (default: the bundled one).")
    Path clip;

    @Option(names = "--classifier", paramLabel = "F", description = "Attribute classifier (default: the bundled one).")
    Path classifierFile;

    @Option(names = "--directions", paramLabel = "DIR", description = "Global-direction folder (default: the bundled one).")
    Path directions;

    @Option(names = "--mappers", paramLabel = "DIR",
            description = "mapper: folder of mapper checkpoints named after their prompt (mohawk_hairstyle.pt; default: the bundled ones).")
    Path mappers;

    @Option(names = "--prompts", split = ",", paramLabel = "T", description = "Prompts to judge (default: the ten of WorldEval.TARGETS).")
    List<String> prompts;

    @Option(names = "--methods", split = ",", defaultValue = "optimize,global", paramLabel = "M", description = "Methods: optimize, mapper, global; mapper rows only for prompts that have a mapper (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--seeds", defaultValue = "50", paramLabel = "N", description = "Seeds per prompt (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--first-seed", defaultValue = "0", paramLabel = "N", description = "Take each prompt's seeds from N on "
            + "(default: ${DEFAULT-VALUE}, the README's table; another start gives seeds the defaults were not chosen on).")
    int firstSeed;

    @Option(names = "--steps", defaultValue = "" + EditCommand.Defaults.BUNDLED_STEPS, paramLabel = "N", description = "optimize: Adam steps (default: ${DEFAULT-VALUE}; "
            + "StyleCLIP: 300).")
    int steps;

    @Option(names = "--lr", defaultValue = "0.1", paramLabel = "LR", description = "optimize: peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--l2-lambda", defaultValue = "" + EditCommand.Defaults.BUNDLED_L2, paramLabel = "L", description = "optimize: weight of the squared "
            + "distance to the start (default: ${DEFAULT-VALUE}, for the bundled set, whose attribute classes lie 0.5 apart on "
            + "their own axes of w; a higher weight trades success for preservation).")
    double l2Lambda;

    @Option(names = "--l1-lambda", defaultValue = "" + EditCommand.Defaults.BUNDLED_L1, paramLabel = "L", description = "optimize: "
            + "weight of the absolute distance to the start, which leaves the coordinates the prompt pulls weakly where they were "
            + "(default: ${DEFAULT-VALUE}; 0 as StyleCLIP).")
    double l1Lambda;

    @Option(names = "--l1-ramp", defaultValue = "" + EditCommand.Defaults.BUNDLED_L1_RAMP, paramLabel = "F", description = "optimize: "
            + "the share of the steps over which the L1 weight rises from 0 to --l1-lambda (0: full weight from the first step; "
            + "default: ${DEFAULT-VALUE}).")
    double l1Ramp;

    @Option(names = "--l1-pull-share", defaultValue = "" + EditCommand.Defaults.BUNDLED_L1_PULL_SHARE, paramLabel = "R", description = "optimize: "
            + "cap the L1 weight so that its pull on a coordinate is at most R times the prompt's pull (the median, over 16 generator "
            + "samples, of CLIP's largest gradient coordinate), so a prompt CLIP pulls on weakly is held back less (0: no cap; "
            + "default: ${DEFAULT-VALUE}).")
    double l1PullShare;

    @Option(names = "--retry-below", defaultValue = "" + EditCommand.Defaults.BUNDLED_RETRY_BELOW, paramLabel = "G", description = "optimize: "
            + "optimize a seed again, from its start and with the L1 weight --retry-l1, when CLIP's cosine to the prompt rose by "
            + "less than G (0: one pass; default: ${DEFAULT-VALUE}).")
    double retryBelow;

    @Option(names = "--retry-l1", defaultValue = "" + EditCommand.Defaults.BUNDLED_RETRY_L1, paramLabel = "L", description = "optimize: "
            + "the L1 weight of that second pass (default: ${DEFAULT-VALUE}).")
    double retryL1;

    @Option(names = "--space", defaultValue = "w", paramLabel = "SPACE", description = "optimize: w (one offset shared by every "
            + "layer), w+ (a vector per layer, as StyleCLIP) or s (default: ${DEFAULT-VALUE}: the bundled generator learned "
            + "what lies between its codes along shared rows; rows moved apart are untrained ground).")
    String spaceName;

    @Option(names = "--smooth", defaultValue = "" + BundledModels.OPTIMIZE_SMOOTH, paramLabel = "K", description = "optimize: average the CLIP loss over K "
            + "latents near the current one each step, moved by Gaussian offsets in W; 0 turns it off, as StyleCLIP "
            + "(default: ${DEFAULT-VALUE}).")
    int smooth;

    @Option(names = "--smooth-sigma", defaultValue = "" + EditCommand.Defaults.BUNDLED_SIGMA, paramLabel = "S", description = "optimize: standard deviation of "
            + "those offsets per W coordinate (default: ${DEFAULT-VALUE}; the bundled generator's classes lie 0.5 apart).")
    double smoothSigma;

    @Option(names = "--views", defaultValue = "0", paramLabel = "K", description = "optimize: average the CLIP loss over K random "
            + "crops and mirrorings of the image each step (default: ${DEFAULT-VALUE}, the image as it is, as StyleCLIP).")
    int views;

    @Option(names = "--neutral", defaultValue = "a portrait", paramLabel = "T", description = "global: neutral text (default: ${DEFAULT-VALUE}).")
    String neutral;

    @Option(names = "--alpha", defaultValue = "4.1", paramLabel = "A", description = "global: strength (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.15", paramLabel = "B", description = "global: threshold (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--readable", defaultValue = "" + WorldEval.READABLE, paramLabel = "F",
            description = "Preservation counts the categories the classifier reads on generator samples: agreement with the "
                    + "latent's intended attributes of at least F (the last column counts every category) (default: ${DEFAULT-VALUE}).")
    double readable;

    @Option(names = "--recognition", defaultValue = "200", paramLabel = "N", description = "Samples for the recognisability figure (default: ${DEFAULT-VALUE}).")
    int recognitionSamples;

    @Option(names = "--clip-checks", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Print CLIP's zero-shot accuracy, ranking AUC per prompt, linear probe and twin check before the table (about a "
                    + "minute; --no-clip-checks skips them).")
    boolean clipChecks;

    @Option(names = "--out", defaultValue = "out/world-eval", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    private static final String CHANGED_MOST_HEADING = "\nCategories whose reading changed most (share of seeds):\n\n";

    @Override
    public Integer call() throws Exception {
        if (seeds < 1 || steps < 1 || recognitionSamples < 1) throw usage("--seeds, --steps and --recognition must be positive");
        if (firstSeed < 0 || firstSeed > 1_000_000_000) throw usage("--first-seed must lie in [0, 1000000000]");
        if (l1Lambda < 0) throw usage("--l1-lambda must be 0 or more");
        if (!(l1Ramp >= 0 && l1Ramp <= 1)) throw usage("--l1-ramp must lie in [0, 1]");
        OptionChecks.finiteNonNegative(spec, "--l1-pull-share", l1PullShare);
        OptionChecks.finiteNonNegative(spec, "--retry-below", retryBelow);
        OptionChecks.finiteNonNegative(spec, "--retry-l1", retryL1);
        if (readable < 0 || readable > 1) throw usage("--readable must be in [0, 1]");
        if (views < 0) throw usage("--views must be 0 or more");
        OptimizationSpace space;
        try {
            space = OptimizationSpace.parse(spaceName);
        } catch (IllegalArgumentException e) {
            throw usage("--space: " + e.getMessage());
        }
        if (smooth < 0 || smoothSigma <= 0) throw usage("--smooth must be 0 or more and --smooth-sigma above 0");
        if (space == OptimizationSpace.S && smooth > 0) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--smooth")) throw usage("--smooth works with --space w+ or w, not s");
            smooth = 0; // the default smoothing does not apply in S
        }
        if (space == OptimizationSpace.S && l1PullShare > 0) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--l1-pull-share")) throw usage("--l1-pull-share works with --space w+ or w, not s");
            l1PullShare = 0; // nor does the default cap
        }
        LatentOptimization.Settings optimization = new LatentOptimization.Settings("", OptimizationMode.EDIT, space, steps, lr,
                l2Lambda, 0, ClipViews.of(views, 0), LatentSmoothing.of(smooth, smoothSigma, 0), l1Lambda, l1Ramp, l1PullShare,
                new LooseRetry(retryBelow, retryL1));
        for (String m : methods) {
            if (!List.of("optimize", "mapper", "global").contains(m)) throw usage("unknown method '" + m + "' (optimize, mapper, global)");
        }
        if (mappers != null && !Files.isDirectory(mappers)) throw usage("--mappers " + mappers + " is not a folder");
        List<WorldEval.Target> targets = new ArrayList<>();
        if (prompts == null) {
            targets.addAll(WorldEval.TARGETS);
        } else {
            for (String p : prompts) {
                targets.add(WorldEval.TARGETS.stream().filter(t -> t.prompt().equals(p)).findFirst()
                        .orElseThrow(() -> usage("no judged target for prompt '" + p + "'; known: "
                                + WorldEval.TARGETS.stream().map(WorldEval.Target::prompt).toList())));
            }
        }

        if (generator == null) dev.styleclip.tensor.Engine.preferThreads(1); // the bundled models are small
        Path gPath = generator != null ? generator : BundledModels.path(BundledModels.GENERATOR);
        Path cPath = clip != null ? clip : BundledModels.path(BundledModels.CLIP);
        Path fPath = classifierFile != null ? classifierFile : BundledModels.path(BundledModels.CLASSIFIER);
        Files.createDirectories(out);
        var o = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        StringBuilder md = new StringBuilder();
        StringBuilder changedMost = new StringBuilder();
        List<WorldEval.Row> rows = new ArrayList<>();
        StringBuilder retried = new StringBuilder();
        java.util.concurrent.atomic.AtomicInteger retriedNow = new java.util.concurrent.atomic.AtomicInteger();
        StringBuilder seedsCsv = new StringBuilder("prompt,method,seed,success,preservation,clip_before,clip_after\n");
        StringBuilder csv = new StringBuilder("prompt,method,seeds,success,preservation,preservation_all,clip_before,clip_after\n");
        try (Generator g = Generator.load(gPath); ClipModel model = ClipModel.load(cPath);
             AttributeClassifier classifier = AttributeClassifier.load(fPath)) {
            ClipLoss loss = ClipLoss.forModel(model, g.config().size());
            WorldEval eval = new WorldEval(g, model, loss, classifier, BundledModels.TRUNCATION);
            WorldEval.Recognition r = eval.recognition(recognitionSamples);
            String rec = String.format("Generator samples (seeds 0-%d): species named with confidence >= 0.9: %.1f%%; mean "
                            + "confidence over the applicable heads: %.3f; classifier agrees with the latent's intended attributes: %.1f%%",
                    r.samples() - 1, 100 * r.confidentSpecies(), r.meanConfidence(), 100 * r.agreementWithPrior());
            o.println(rec);
            StringBuilder per = new StringBuilder("Agreement with the latent's intended attributes, per category:");
            r.agreementByCategory().forEach((cat, a) -> per.append(String.format(" %s %.0f%%", cat, 100 * a)));
            o.println(per);
            StringBuilder checks = new StringBuilder();
            if (clipChecks) {
                StringBuilder zs = new StringBuilder("CLIP zero-shot accuracy on 300 renders (seeds 5000-5299), per category:");
                eval.clipZeroShot(5000, 300).forEach((cat, a) -> zs.append(String.format(" %s %.0f%%", cat, 100 * a)));
                o.println(zs);
                StringBuilder auc = new StringBuilder("CLIP ranking AUC of each prompt on 400 renders (seeds 6000-6399; 0.5 is chance):");
                eval.clipRankingAuc(targets, 6000, 400).forEach((p, a) -> auc.append(String.format(" %s %.2f", p, a)));
                o.println(auc);
                StringBuilder probe = new StringBuilder("Linear probe on CLIP's image features (1200 renders from seed 7000, scored on 400 more), "
                        + "accuracy against always naming the commonest class:");
                eval.clipLinearProbe(7000, 1200, 400).forEach((cat, p) -> probe.append(String.format(" %s %.0f%% (%.0f%%)", cat,
                        100 * p.accuracy(), 100 * p.majority())));
                o.println(probe);
                StringBuilder twins = new StringBuilder("CLIP on twins (200 renders that could take each edit, beside the same render with the target drawn in; "
                        + "image cosine of the twins, 1 = indistinguishable; share of twins where the one with the target is closer to the prompt):");
                eval.clipTwins(targets, 8000, 200).forEach((p, t) -> twins.append(String.format(" %s %.4f %.0f%%", p, t.cosine(), 100 * t.higher())));
                o.println(twins);
                checks.append(zs).append("\n\n").append(auc).append("\n\n").append(probe).append("\n\n").append(twins).append("\n\n");
            }
            java.util.Set<dev.styleclip.world.AttributeCategory> judged = r.readable(readable);
            eval.judgeOnly(judged);
            String judgedLine = String.format("Preservation counts the categories read with agreement >= %.0f%%: %s", 100 * readable,
                    judged.stream().map(dev.styleclip.world.AttributeCategory::name).toList());
            o.println(judgedLine);
            rec = rec + "\n\n" + per + "\n\n" + checks + judgedLine;
            md.append(rec).append("\n\n");
            md.append(String.format("| prompt | method | seeds | edit success | preservation | preservation, all heads | CLIP sim before | after |%n"));
            md.append("|---|---|---|---|---|---|---|---|\n");
            WorldEval.Method global = methods.contains("global") ? global(g, model, cPath) : null;
            for (WorldEval.Target t : targets) {
                List<Integer> chosen = eval.eligibleSeeds(t, seeds, firstSeed, 20 * seeds + 200);
                for (String m : methods) {
                    long t0 = System.nanoTime();
                    retriedNow.set(0);
                    Path mapperFile = m.equals("mapper") ? mapperFor(t.prompt()) : null;
                    if (m.equals("mapper") && mapperFile == null) continue; // no mapper trained for this prompt
                    WorldEval.Row row;
                    try (PointerScope scope = new PointerScope();
                         var mapper = mapperFile != null ? dev.styleclip.edit.mapper.MapperCheckpoint.read(mapperFile).mapper() : null) {
                        WorldEval.Method method = switch (m) {
                            case "optimize" -> eval.optimize(optimization, retriedNow::addAndGet);
                            case "mapper" -> eval.latentMap(mapper::edit);
                            default -> global;
                        };
                        WorldEval.Edited edited = eval.edit(t, method, chosen);
                        row = eval.score(t, m, edited.before(), edited.after());
                        writeSheet(t, m, edited, chosen.subList(0, Math.min(8, chosen.size())));
                    }
                    String unread = r.agreementByCategory().getOrDefault(t.category(), 0.0) < readable ? " (target not read)" : "";
                    String line = String.format("| %s | %s | %d | %.0f%%%s | %.1f%% | %.1f%% | %.3f | %.3f |", row.prompt(), row.method(),
                            row.seeds(), 100 * row.success(), unread, 100 * row.preservation(), 100 * row.preservationAll(),
                            row.clipBefore(), row.clipAfter());
                    md.append(line).append('\n');
                    csv.append(String.format("\"%s\",%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f%n", row.prompt(), row.method(), row.seeds(),
                            row.success(), row.preservation(), row.preservationAll(), row.clipBefore(), row.clipAfter()));
                    err.printf("%s (%.0f s)%n", line, (System.nanoTime() - t0) / 1e9);
                    if (m.equals("optimize") && !optimization.retry().none()) {
                        retried.append(String.format("%s%s %d of %d", retried.isEmpty() ? "" : ", ", row.prompt(), retriedNow.get(), row.seeds()));
                        err.printf("  optimized a second time: %d of %d seeds%n", retriedNow.get(), row.seeds());
                    }
                    err.printf("  changed most: %s%n", row.mostChanged(4));
                    changedMost.append(String.format("- %s, %s: %s%n", row.prompt(), row.method(), row.mostChanged(4)));
                    err.flush();
                    rows.add(row);
                    for (int i = 0; i < row.perSeed().size(); i++) {
                        WorldEval.SeedScore sc = row.perSeed().get(i);
                        seedsCsv.append(String.format("\"%s\",%s,%d,%d,%.4f,%.4f,%.4f%n", row.prompt(), row.method(), chosen.get(i),
                                sc.success() ? 1 : 0, sc.preservation(), sc.clipBefore(), sc.clipAfter()));
                    }
                    AtomicFiles.write(out.resolve("seeds.csv"), seedsCsv.toString().getBytes(StandardCharsets.UTF_8));
                    AtomicFiles.write(out.resolve("table.md"), (md + summary(rows) + retriedLine(retried) + CHANGED_MOST_HEADING
                            + changedMost).getBytes(StandardCharsets.UTF_8));
                    AtomicFiles.write(out.resolve("table.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        o.print(md);
        o.print(summary(rows));
        o.print(retriedLine(retried));
        o.print(CHANGED_MOST_HEADING + changedMost);
        o.println("wrote " + out.resolve("table.md"));
        o.flush();
        return 0;
    }

    /** Per method, success and preservation over all its edits (the issue's figures are over all of them). */
    private static String summary(List<WorldEval.Row> rows) {
        StringBuilder b = new StringBuilder("\nOver all edits of each method (each seed counts once):\n\n");
        for (WorldEval.Summary s : WorldEval.Summary.of(rows)) b.append("- ").append(s.line()).append('\n');
        return b.toString();
    }

    /** Which seeds latent optimization's retry optimized again, per prompt ("" without a retry). */
    private String retriedLine(CharSequence retried) {
        return retried.isEmpty() ? "" : String.format("%nSeeds latent optimization ran a second time, with L1 weight %s (CLIP's cosine to the "
                + "prompt rose by less than %s in the first): %s%n", retryL1, retryBelow, retried);
    }

    /** The mapper for {@code prompt}: DIR/slug.pt under --mappers, else the bundled one; null if there is none. */
    private Path mapperFor(String prompt) {
        if (mappers != null) {
            Path f = mappers.resolve(BundledModels.slug(prompt) + ".pt");
            return Files.isRegularFile(f) ? f : null;
        }
        return generator == null && clip == null && BundledModels.mapperPrompts().contains(prompt)
                ? BundledModels.path(BundledModels.mapperName(prompt)) : null;
    }

    private WorldEval.Method global(Generator g, ClipModel model, Path cPath) throws Exception {
        Path dir = directions != null ? directions : BundledModels.directions();
        DirectionsFolder folder = new DirectionsFolder(dir);
        Tensor fs3 = folder.fs3();
        StyleStats stats = folder.stats();
        folder.check(g, fs3, stats);
        String sha = Hashes.sha256(cPath);
        TextDirection text = new TextDirection(model);
        return (w, t) -> {
            try (NoGradGuard ng = new NoGradGuard()) {
                Tensor dt = folder.direction(text, sha, neutral, t.prompt());
                Boundary b = Boundary.of(fs3, dt, g.styleLayout(), stats.std(), beta);
                Tensor s = StyleEdit.apply(StyleCodes.flatten(g.styles(w)), b.deltaS(), alpha);
                return g.synthesizeFromStyles(StyleCodes.unflatten(s, g.styleLayout()), NoiseMode.CONST);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /** The first seeds' images from the evaluation itself: top row before, bottom row after. */
    private void writeSheet(WorldEval.Target t, String m, WorldEval.Edited edited, List<Integer> seedList)
            throws java.io.IOException {
        if (seedList.isEmpty()) return;
        List<BufferedImage> all = new ArrayList<>();
        for (int i = 0; i < seedList.size(); i++) all.add(Images.toImage(edited.before(), i));
        for (int i = 0; i < seedList.size(); i++) all.add(Images.toImage(edited.after(), i));
        Images.write(out.resolve(BundledModels.slug(t.prompt()) + "_" + m + ".png"), Images.grid(all, seedList.size()),
                Map.of("styleclip", "{\"tool\":\"world eval\",\"prompt\":\"" + t.prompt() + "\",\"method\":\"" + m + "\",\"seeds\":\"" + seedList + "\"}"));
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
