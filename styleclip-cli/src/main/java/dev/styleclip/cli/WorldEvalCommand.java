package dev.styleclip.cli;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Hashes;
import dev.styleclip.stylegan2.Generator;
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
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
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

    @Mixin
    OptimizationOptions optimizationOptions;

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
        Checks.atLeast("seeds", seeds, 1);
        Checks.atLeast("recognition", recognitionSamples, 1);
        Checks.between("first-seed", firstSeed, 0, 1_000_000_000);
        Checks.closed("readable", readable, 0, 1);
        new GlobalDirections.Settings(neutral, "a portrait", alpha, beta); // checks --neutral, --alpha and --beta
        LatentOptimization.Settings optimization = optimizationOptions.settings(OptimizationPreset.BUNDLED, WorldEval.TARGETS.get(0).prompt(),
                OptimizationMode.EDIT, 0);
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
        OutputFiles.checkFolder(out);
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
             AttributeClassifier classifier = AttributeClassifier.load(fPath);
             GlobalDirections gd = methods.contains("global")
                     ? GlobalDirections.open(g, model, Hashes.sha256(cPath), directions != null ? directions : BundledModels.directions()) : null) {
            ClipLoss loss = ClipLoss.forModel(model, g.config().size());
            WorldEval eval = new WorldEval(g, model, loss, classifier, OptimizationPreset.BUNDLED.truncation());
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
            WorldEval.Method global = gd == null ? null : (w, t) -> gd.image(gd.edit(w, boundary(gd, t), alpha));
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
                    AtomicFiles.write(out.resolve("table.md"), (md + summary(rows) + retriedLine(retried, optimization) + CHANGED_MOST_HEADING
                            + changedMost).getBytes(StandardCharsets.UTF_8));
                    AtomicFiles.write(out.resolve("table.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        o.print(md);
        o.print(summary(rows));
        o.print(retriedLine(retried, optimization));
        o.print(CHANGED_MOST_HEADING + changedMost);
        o.println("wrote " + out.resolve("table.md"));
        o.flush();
        return 0;
    }

    /** Per method, success and preservation over all its edits (the figures are over all of them). */
    private static String summary(List<WorldEval.Row> rows) {
        StringBuilder b = new StringBuilder("\nOver all edits of each method (each seed counts once):\n\n");
        for (WorldEval.Summary s : WorldEval.Summary.of(rows)) b.append("- ").append(s.line()).append('\n');
        return b.toString();
    }

    /** Which seeds latent optimization's retry optimized again, per prompt ("" without a retry). */
    private static String retriedLine(CharSequence retried, LatentOptimization.Settings optimization) {
        return retried.isEmpty() ? "" : String.format("%nSeeds latent optimization ran a second time, with L1 weight %s (CLIP's cosine to the "
                + "prompt rose by less than %s in the first): %s%n", optimization.retry().l1Lambda(), optimization.retry().minGain(), retried);
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

    private Boundary boundary(GlobalDirections gd, WorldEval.Target t) {
        try {
            return gd.boundary(neutral, t.prompt(), beta);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
