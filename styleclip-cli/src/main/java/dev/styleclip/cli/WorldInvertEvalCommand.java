package dev.styleclip.cli;

import dev.styleclip.StyleClip;
import dev.styleclip.check.Checks;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.evaluate.InversionEval;
import dev.styleclip.evaluate.InversionEvalRun;
import dev.styleclip.evaluate.WorldEval;
import dev.styleclip.evaluate.WorldEvalRun;
import dev.styleclip.invert.InversionMethod;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.Projector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code styleclip world invert-eval}: options into {@link InversionEvalRun.Settings}; the categories counted on stdout,
 * progress and each finished cell and edit row on stderr, the report on stdout at the end.
 */
@Command(name = "invert-eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure inversion, and edits of inverted latents, on world renders the generator did not draw.",
                "Inverts --renders held-out procedural renders (seeds from 20000, which no training used), as they are and shifted "
                        + "4 px, rotated 5 degrees or JPEG-compressed at quality 60, by each of --methods, --batch pictures at a time. "
                        + "Per method and variant: PSNR, SSIM and CLIP-feature distance of the inversion's own reconstruction (a), "
                        + "its latent with the noise maps it optimized; milliseconds per picture; and the judge classifier's "
                        + "agreement with the renders' true attributes on (b), the latent synthesized with the generator's own noise "
                        + "buffers, where every edit starts, and on (a).",
                "Then, from the encoder+optimize latents of the renders (else optimize's, else the encoder's; the renders are "
                        + "inverted for it even when --variants leaves them out), each of --edit-methods edits up to --edit-renders "
                        + "renders that can take each of world eval's ten prompts, judged against the renders' true attributes, "
                        + "beside the same method on as many generator samples (world eval's path, an upper bound).",
                "Writes DIR/report.md, DIR/report.json and DIR/contact_sheet.png (a row per render: the input, reconstruction "
                        + "(b), and each method's edit towards one prompt); the reports are rewritten after every batch and every "
                        + "edit row, so a run stopped with Ctrl-C keeps what it measured."})
public final class WorldInvertEvalCommand implements Callable<Integer>, HelpFooter {
    @Mixin
    WorldModelOptions models;

    @Option(names = "--renders", defaultValue = "200", paramLabel = "N", description = "Held-out renders (default: ${DEFAULT-VALUE}).")
    int renders;

    @Option(names = "--variants", split = ",", defaultValue = "renders,shifted,rotated,jpeg", paramLabel = "V",
            description = "Picture variants: renders, shifted, rotated, jpeg (default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--methods", split = ",", defaultValue = "encoder,encoder+optimize", paramLabel = "M",
            description = "Inversions: encoder, encoder+optimize, optimize (slow: its full schedule per picture) (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--encoder", paramLabel = "E.pt", description = "Encoder file (default: the bundled encoder, for the bundled generator).")
    Path encoder;

    @Option(names = "--steps", paramLabel = "N", description = "Projector steps of encoder+optimize and optimize (default: the inversion "
            + "preset's, below).")
    Integer steps;

    @Option(names = "--edit-renders", defaultValue = "8", paramLabel = "K", description = "Renders per prompt in the edit table, at "
            + "most; 0 skips the table (default: ${DEFAULT-VALUE}).")
    int editRenders;

    @Option(names = "--edit-methods", split = ",", defaultValue = "optimize,mapper,global", paramLabel = "M",
            description = "Editing methods of the edit table: optimize, mapper, global, with world eval's defaults (default: ${DEFAULT-VALUE}).")
    List<String> editMethods;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Pictures inverted at once (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--recognition", defaultValue = "200", paramLabel = "N", description = "Generator samples that decide the categories "
            + "the agreement counts, as world eval's --recognition (default: ${DEFAULT-VALUE}).")
    int recognition;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (steps != null) Checks.between("steps", steps, 1, Projector.MAX_STEPS);
        var settings = new InversionEvalRun.Settings(models.models(), encoder,
                methods.stream().map(m -> InversionMethod.parse("methods", m)).toList(),
                variants.stream().map(v -> InversionEval.Variant.parse("variants", v)).toList(), renders, steps == null ? 0 : steps,
                editRenders, editMethods.stream().map(m -> WorldEvalRun.Method.parse("edit-methods", m)).toList(), batch,
                OptimizationPreset.BUNDLED.settings(WorldEval.TARGETS.get(0).prompt(), 0),
                new GlobalDirections.Settings(StyleClip.DEFAULT_NEUTRAL, WorldEval.TARGETS.get(0).prompt(), GlobalDirections.DEFAULT_ALPHA,
                        GlobalDirections.DEFAULT_BETA), WorldEval.READABLE, recognition, out);
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InversionEvalRun.Result result = InversionEvalRun.run(settings, new InversionEvalRun.Listener() {
            private String task;
            private StepPrinter printer;

            @Override
            public void onPreamble(String line) {
                o.println(line);
                o.flush();
            }

            @Override
            public void onProgress(String task, long step, long total, String values) {
                if (!task.equals(this.task)) {
                    this.task = task;
                    printer = new StepPrinter(err, task, Math.max(1, total / 10));
                }
                printer.step(step, total, values);
            }

            @Override
            public void onCell(InversionEvalRun.CellDone c) {
                err.printf("%s (%s)%n", c.line(), StepPrinter.clock(c.seconds()));
                err.flush();
                task = null;
            }

            @Override
            public void onEdit(InversionEvalRun.EditDone e) {
                err.printf("%s (%.0f s)%n", e.line(), e.seconds());
                err.flush();
            }
        });
        o.print(result.markdown());
        o.println("wrote " + result.report());
        o.flush();
        return 0;
    }

    /** The projector's steps and learning rates of each inversion method, per generator. */
    @Override
    public String[] helpFooter() {
        InversionPreset b = InversionPreset.BUNDLED, p = InversionPreset.PUBLISHED;
        return new String[] {"", "Defaults of --steps:", String.format("  %-20s%-22s%s", "", "bundled generator", "other generators"),
                String.format("  %-20s%-22s%s", "encoder+optimize", b.refineSteps() + " (w+, lr " + b.refineLr() + ")",
                        p.refineSteps() + " (w+, lr " + p.refineLr() + ")"),
                String.format("  %-20s%-22s%s", "optimize", b.steps() + " (" + b.space().label() + ", lr " + b.lr() + ")",
                        p.steps() + " (" + p.space().label() + ", lr " + p.lr() + ")"),
                "Edits: latent optimization with world eval's defaults (the bundled set's), global directions with neutral text '"
                        + StyleClip.DEFAULT_NEUTRAL + "', alpha " + GlobalDirections.DEFAULT_ALPHA + ", beta " + GlobalDirections.DEFAULT_BETA + "."};
    }
}
