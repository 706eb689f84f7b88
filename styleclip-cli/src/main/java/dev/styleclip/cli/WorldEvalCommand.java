package dev.styleclip.cli;

import dev.styleclip.StyleClip;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.evaluate.WorldEvalRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip world eval}: options into {@link WorldEvalRun.Settings}; the lines above the table and the table on stdout, each row's timing on stderr. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge text edits on the world with the attribute classifier (which never guides an edit).",
                "Per prompt and method, over the first --seeds seeds whose portrait can take the edit: edit success "
                        + "(the target attribute is predicted after the edit), preservation (the share of the other "
                        + "attributes left unchanged) and the CLIP similarity to the prompt before and after; and how "
                        + "recognisable the generator's samples are. Writes DIR/table.md, DIR/table.csv, DIR/seeds.csv (every seed's result) and a "
                        + "before/after sheet per prompt and method (first 8 seeds: top row before, bottom row after)."})
public final class WorldEvalCommand implements Callable<Integer>, HelpFooter {
    @Mixin
    WorldModelOptions models;

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

    @Option(names = "--neutral", defaultValue = StyleClip.DEFAULT_NEUTRAL, paramLabel = "T", description = "global: neutral text (default: ${DEFAULT-VALUE}).")
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

    @Override
    public Integer call() throws Exception {
        LatentOptimization.Settings optimization = optimizationOptions.settings(OptimizationPreset.BUNDLED, WorldEval.TARGETS.get(0).prompt(),
                OptimizationMode.EDIT, 0);
        OptimizationOptions.requireArcface(optimization, null); // the evaluation edits without the identity loss
        List<WorldEvalRun.Method> methodList = new ArrayList<>();
        for (String m : methods) {
            methodList.add(WorldEvalRun.Method.parse("methods", m));
        }
        List<WorldEval.Target> targets = new ArrayList<>();
        for (String p : prompts == null ? WorldEval.TARGETS.stream().map(WorldEval.Target::prompt).toList() : prompts) {
            targets.add(WorldEvalRun.target(p).orElseThrow(() -> usage("no judged target for prompt '" + p + "'; known: "
                    + WorldEval.TARGETS.stream().map(WorldEval.Target::prompt).toList())));
        }
        var settings = new WorldEvalRun.Settings(models.models(), targets,
                methodList, seeds, firstSeed, optimization, new GlobalDirections.Settings(neutral, "a portrait", alpha, beta), readable,
                recognitionSamples, clipChecks ? WorldEvalRun.ClipChecks.RUN : WorldEvalRun.ClipChecks.SKIP, out);
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WorldEvalRun.Result result = WorldEvalRun.run(settings, new WorldEvalRun.Listener() {
            @Override
            public void onPreamble(String line) {
                o.println(line);
            }

            @Override
            public void onRow(WorldEvalRun.RowDone r) {
                err.printf("%s (%.0f s)%n", r.line(), r.seconds());
                r.retried().ifPresent(n -> err.printf("  optimized a second time: %d of %d seeds%n", n, r.row().seeds()));
                err.printf("  changed most: %s%n", r.row().mostChanged(4));
                err.flush();
            }
        });
        o.print(result.markdown());
        o.println("wrote " + result.table());
        o.flush();
        return 0;
    }

    /** world eval optimizes with the bundled set's settings, whatever the generator. */
    @Override
    public String[] helpFooter() {
        return OptimizationOptions.defaultsFooter(List.of("world eval"), List.of(OptimizationPreset.BUNDLED));
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
