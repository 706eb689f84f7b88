package dev.styleclip.cli;

import dev.styleclip.EditResult;
import dev.styleclip.InversionResult;
import dev.styleclip.Latent;
import dev.styleclip.StyleClip;
import dev.styleclip.check.Checks;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.image.InputImages;
import dev.styleclip.invert.InversionSettings;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stylegan2.LatentSpace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit an image with text, by any of StyleCLIP's methods; with no model files given it uses the bundled models "
                + "(a 64-px generator and a small CLIP trained on the project's portrait world).",
                "The start is a seed, a latent file, or a picture of your own (--image), which is first inverted into the generator's "
                        + "latent space as 'styleclip invert' does (--invert, --encoder).",
                "Writes into --out DIR (created if needed; files of the same names are replaced): before_after.png (the original and "
                        + "the edit side by side; for --image the picture, its reconstruction and the edit), final.png, latent.npy "
                        + "(the edited W+, or S codes for --method global) and provenance.json. A run that fails or is stopped "
                        + "(Ctrl-C) leaves none of them."})
public final class EditCommand implements Callable<Integer>, HelpFooter {
    enum Method { optimize, mapper, global }

    @Option(names = "--prompt", required = true, paramLabel = "T", description = "What the image should become, e.g. \"mohawk hairstyle\".")
    String prompt;

    @Option(names = "--method", defaultValue = "optimize", paramLabel = "M", description = "optimize (latent optimization, works for any "
            + "prompt), mapper (a latent mapper trained for the prompt: --mapper, or one of the bundled ones) or global (global "
            + "directions in S) (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--seed", paramLabel = "N", description = "Start from the image of this seed (default: 0 unless --latent).")
    Long seed;

    @Option(names = "--latent", paramLabel = "FILE", description = "Start latent (.npy/.pt) in --latent-space.")
    Path latent;

    @Option(names = "--image", paramLabel = "IMG", description = "Start from a picture of your own (PNG, JPEG, ...; centre-cropped and "
            + "resized to the generator's side), inverted first.")
    Path image;

    @Option(names = "--invert", paramLabel = "M", description = "How --image is inverted: optimize, encoder or encoder+optimize "
            + "(default: encoder+optimize when there is an encoder, the bundled generator's or --encoder; optimize otherwise).")
    String invert;

    @Option(names = "--encoder", paramLabel = "E.pt", description = "Encoder file for --image (default: the bundled encoder, for the "
            + "bundled generator).")
    Path encoder;

    @Option(names = "--latent-space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of --latent (default: ${DEFAULT-VALUE}).")
    String latentSpace;

    @Option(names = "--truncation", paramLabel = "PSI", description = "Truncation of a seed's latent, in (0, 1] (default: 1 for the "
            + "bundled generator, 0.7 otherwise).")
    Double truncation;

    @Mixin
    ModelOptions models;

    @Mixin
    OptimizationOptions optimization;

    @Option(names = "--mapper", paramLabel = "FILE", description = "mapper: the mapper checkpoint (default: the bundled mapper for --prompt).")
    Path mapperFile;

    @Option(names = "--directions", paramLabel = "DIR", description = "global: folder from 'global prepare' (default: the bundled one "
            + "for the bundled models).")
    Path directions;

    @Option(names = "--neutral", defaultValue = StyleClip.DEFAULT_NEUTRAL, paramLabel = "T", description = "global: the neutral text "
            + "(default: ${DEFAULT-VALUE}).")
    String neutral;

    @Option(names = "--alpha", defaultValue = "" + GlobalDirections.DEFAULT_ALPHA, paramLabel = "A", description = "global: edit "
            + "strength, any finite number (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "" + GlobalDirections.DEFAULT_BETA, paramLabel = "B", description = "global: "
            + "disentanglement threshold in (0, 1]; fewer channels move as it grows (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--out", defaultValue = "out/edit", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public String[] helpFooter() {
        return OptimizationOptions.defaultsFooter(List.of("bundled generator", "other generators"),
                List.of(OptimizationPreset.BUNDLED, OptimizationPreset.PUBLISHED));
    }

    @Override
    public Integer call() throws Exception {
        if ((seed != null ? 1 : 0) + (latent != null ? 1 : 0) + (image != null ? 1 : 0) > 1) {
            throw usage("give one start: --seed, --latent or --image");
        }
        if (image == null && (invert != null || encoder != null)) throw usage("--invert and --encoder are for --image");
        LatentSpace space = OptionChecks.latentSpace("latent-space", latentSpace);
        Texts.tokenize(spec.commandLine(), List.of(prompt), false);
        StyleClip.Models files = models.models();
        OptimizationPreset preset = StyleClip.presetFor(files.generator());
        double psi = Checks.openClosed("truncation", truncation != null ? truncation : preset.truncation(), 0, 1);
        LatentOptimization.Settings settings = method == Method.optimize
                ? optimization.settings(preset, prompt, OptimizationMode.EDIT, seed != null ? seed : 0) : null;
        if (settings != null) OptimizationOptions.requireArcface(settings, models.arcface);
        GlobalDirections.Settings global = new GlobalDirections.Settings(neutral, prompt, alpha, beta);
        InversionSettings inversion = image != null ? InvertCommand.inversion(files, invert, encoder, models.arcface != null) : null;
        if (image != null) InputImages.readRgb(image); // a file that is not a picture fails before anything is done
        OutputFiles.checkFolder(out);
        PrintWriter err = spec.commandLine().getErr();
        try (StyleClip sc = StyleClip.open(files)) {
            InversionResult picture = image == null ? null : sc.invert(image, inversion,
                    inversion.optimizes() ? InvertCommand.observer(err, "invert " + image.getFileName(), inversion.projector()) : null);
            Latent start = picture != null ? picture.latent() : latent != null ? sc.readLatent(latent, space) : sc.seed(seed != null ? seed : 0, psi);
            EditResult r = switch (method) {
                case optimize -> sc.optimize(start, settings, StepPrinter.forOptimization(err, settings));
                case mapper -> mapperFile != null ? sc.mapper(start, mapperFile) : sc.mapper(start, prompt);
                case global -> sc.global(start, global, directions);
            };
            if (picture != null) r = r.ofPicture(picture);
            r.save(out);
            spec.commandLine().getOut().printf("\"%s\" by %s in %.1f s: wrote %s %s%n", prompt, method,
                    ((Number) r.provenance().get("seconds")).doubleValue(), out.resolve("before_after.png"),
                    picture != null ? "(the picture, its reconstruction, the edit)" : "(left: before, right: after)");
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
