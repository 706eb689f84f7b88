package dev.styleclip.cli;

import dev.styleclip.InversionResult;
import dev.styleclip.StyleClip;
import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.SettingException;
import dev.styleclip.image.InputImages;
import dev.styleclip.invert.InversionLoss;
import dev.styleclip.invert.InversionMethod;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.InversionSettings;
import dev.styleclip.invert.InversionSpace;
import dev.styleclip.invert.Projector;
import dev.styleclip.io.FileNames;
import dev.styleclip.io.OutputFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "invert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find the latent of a picture of your own, so that it can be edited like a generated image.",
                "Reads any image ImageIO reads (PNG, JPEG, BMP, GIF; transparency on white), crops its centre square and resizes it "
                        + "to the generator's side, then finds its latent: --method optimize optimizes a latent and the generator's "
                        + "noise maps until the generated image matches it (rosinality's projector.py, with pixel MSE, SSIM and a "
                        + "CLIP-feature distance in the place of LPIPS, and the identity loss with --arcface); encoder is one forward "
                        + "pass of an encoder network (styleclip encoder train), milliseconds instead of seconds; encoder+optimize "
                        + "starts a shorter optimization in W+ from the encoder's latent. With no model files given it uses the "
                        + "bundled models and the bundled encoder.",
                "Writes into --out DIR (created if needed; files of the same names are replaced): latent.npy (W+, reusable as "
                        + "--latent by every command), noise.npz (the optimized noise maps the reconstruction was made with), "
                        + "reconstruction.png, side_by_side.png (the picture as the generator sees it, and the reconstruction), "
                        + "metrics.json (PSNR, SSIM, CLIP-feature distance, seconds) and provenance.json. Several pictures make one "
                        + "subfolder each, named after the file; a run that fails or is stopped (Ctrl-C) leaves nothing of the "
                        + "picture it was on, the pictures finished before it stay."})
public final class InvertCommand implements Callable<Integer>, HelpFooter {
    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "IMG", description = "Picture(s) to invert.")
    List<Path> images;

    @Mixin
    ModelOptions models;

    @Option(names = "--method", paramLabel = "M", description = "optimize, encoder or encoder+optimize (default: encoder+optimize "
            + "when there is an encoder, the bundled generator's or --encoder; optimize otherwise).")
    String method;

    @Option(names = "--encoder", paramLabel = "E.pt", description = "Encoder file for the generator (default: the bundled encoder, "
            + "for the bundled generator).")
    Path encoder;

    @Option(names = "--space", paramLabel = "w|w+", description = "The latent that moves: w (one w on every W+ row) or w+ (a w per "
            + "row: closer reconstructions, latents less like the generator's own).")
    String space;

    @Option(names = "--steps", paramLabel = "N", description = "Adam steps.")
    Integer steps;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate, in (0, 10].")
    Double lr;

    @Option(names = "--mse-lambda", paramLabel = "L", description = "Weight of the pixel MSE.")
    Double mseLambda;

    @Option(names = "--ssim-lambda", paramLabel = "L", description = "Weight of 1 - SSIM.")
    Double ssimLambda;

    @Option(names = "--clip-feature-lambda", paramLabel = "L", description = "Weight of the CLIP-feature distance (unit-normalised "
            + "token features of the CLIP image tower at four depths).")
    Double clipFeatureLambda;

    @Option(names = "--id-lambda", paramLabel = "L", description = "Weight of the identity loss (ArcFace IR-SE50; above 0 it needs "
            + "--arcface).")
    Double idLambda;

    @Option(names = "--noise-regularize", paramLabel = "W", description = "Weight of the noise maps' regularizer (default: "
            + "${DEFAULT-VALUE}, projector.py's).", defaultValue = "1e5")
    double noiseRegularize;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seeds the latent noise of the first steps "
            + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public String[] helpFooter() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Defaults:");
        lines.add(String.format("  %-24s%-22s%s", "", "bundled generator", "other generators"));
        InversionPreset b = InversionPreset.BUNDLED;
        InversionPreset p = InversionPreset.PUBLISHED;
        lines.add(row("--space", b.space().label(), p.space().label()));
        lines.add(row("--steps", String.valueOf(b.steps()), String.valueOf(p.steps())));
        lines.add(row("--lr", num(b.lr()), num(p.lr())));
        lines.add(row("--mse-lambda", num(b.mse()), num(p.mse())));
        lines.add(row("--ssim-lambda", num(b.ssim()), num(p.ssim())));
        lines.add(row("--clip-feature-lambda", num(b.clipFeatures()), num(p.clipFeatures())));
        lines.add(row("--id-lambda", idDefault(b), idDefault(p)));
        lines.add("  with encoder+optimize:");
        lines.add(row("--space", "w+", "w+"));
        lines.add(row("--steps", String.valueOf(b.refineSteps()), String.valueOf(p.refineSteps())));
        lines.add(row("--lr", num(b.refineLr()), num(p.refineLr())));
        return lines.toArray(String[]::new);
    }

    @Override
    public Integer call() throws Exception {
        StyleClip.Models files = models.models();
        InversionPreset preset = StyleClip.inversionPresetFor(files.generator());
        InversionMethod m = method(preset, "method", method, encoder);
        InversionSettings settings = new InversionSettings(m, settings(preset, m), encoder);
        if (settings.optimizes() && settings.projector().weights().id() > 0 && models.arcface == null) {            throw new SettingException("id-lambda", settings.projector().weights().id() + " needs --arcface (model_ir_se50.pth); "
                    + "give it, or pass --id-lambda 0");
        }
        for (Path image : images) InputImages.readRgb(image); // a file that is not a picture fails before anything is written
        OutputFiles.checkFolder(out);
        List<Path> dirs = folders();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        try (StyleClip sc = StyleClip.open(files)) {
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                InversionResult r = sc.invert(image, settings, settings.optimizes()
                        ? observer(err, "invert " + image.getFileName(), settings.projector()) : null);
                r.save(dirs.get(i));
                InversionResult.Metrics mt = r.metrics();
                o.printf(Locale.ROOT, "%s: PSNR %.2f dB, SSIM %.4f, CLIP-feature distance %.4f in %.1f s; wrote %s%n", image.getFileName(),
                        mt.psnr(), mt.ssim(), mt.clipFeatureDistance(), mt.seconds(), dirs.get(i).resolve("side_by_side.png"));
                o.flush();
            }
        }
        return 0;
    }

    /** --method given, or its default: encoder+optimize where there is an encoder, optimize otherwise; checked against --encoder. */
    static InversionMethod method(InversionPreset preset, String option, String method, Path encoder) {
        InversionMethod m = method != null ? InversionMethod.parse(option, method)
                : encoder != null || preset == InversionPreset.BUNDLED && BundledModels.has(BundledModels.ENCODER)
                ? InversionMethod.ENCODER_OPTIMIZE : InversionMethod.OPTIMIZE;
        if (m == InversionMethod.OPTIMIZE && encoder != null) {
            throw new SettingException("encoder", "is for the methods encoder and encoder+optimize, not optimize");
        }
        if (m != InversionMethod.OPTIMIZE && encoder == null && preset != InversionPreset.BUNDLED) {
            throw new SettingException("encoder", "must be given for " + m.label() + " with this generator (an encoder file from "
                    + "'styleclip encoder train --generator G --out E.pt')");
        }
        return m;
    }

    /** The inversion of {@code edit --image}: the method (--invert) and the generator's preset for it. */
    static InversionSettings inversion(StyleClip.Models files, String method, Path encoder, boolean arcface) throws java.io.IOException {
        InversionPreset preset = StyleClip.inversionPresetFor(files.generator());
        InversionMethod m = method(preset, "invert", method, encoder);
        return new InversionSettings(m, preset.settings(m, arcface), encoder);
    }

    /** The projector's settings: the options given over the preset's. */
    private Projector.Settings settings(InversionPreset preset, InversionMethod m) {
        boolean arcface = models.arcface != null;
        Projector.Settings defaults = preset.settings(m, arcface);
        InversionLoss.Weights base = defaults.weights();
        InversionLoss.Weights weights = new InversionLoss.Weights(or(mseLambda, base.mse()), or(ssimLambda, base.ssim()),
                or(clipFeatureLambda, base.clipFeatures()), or(idLambda, base.id()));
        InversionSpace sp = space != null ? InversionSpace.parse("space", space) : defaults.space();
        return defaults.withSpace(sp).withSteps(or(steps, defaults.steps())).withLr(or(lr, defaults.lr())).withWeights(weights)
                .withNoiseRegularize(noiseRegularize).withSeed(seed);
    }

    /** --out for one picture; for several, a subfolder per picture named after its file (numbered when two names agree). */
    private List<Path> folders() {
        List<Path> dirs = new ArrayList<>();
        if (images.size() == 1) return List.of(out);
        Set<String> used = new HashSet<>();
        for (Path image : images) {
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String base = FileNames.slug(dot > 0 ? name.substring(0, dot) : name, 48);
            String unique = base;
            for (int k = 2; !used.add(unique); k++) unique = base + "_" + k;
            dirs.add(out.resolve(unique));
        }
        return dirs;
    }

    /** Progress lines on stderr, about ten per picture. */
    static Projector.Observer observer(PrintWriter err, String task, Projector.Settings s) {
        StepPrinter printer = new StepPrinter(err, task, Math.max(1, s.steps() / 10));
        return (l, image, latent) -> printer.step(l.step(), s.steps(), String.format(Locale.ROOT, "loss %.4f mse %.4f 1-ssim %.4f clip-features %.4f",
                l.total(), l.mse(), l.ssimLoss(), l.clipFeatures()));
    }

    private static String idDefault(InversionPreset p) {
        return p.idWithArcface() == 0 ? "0" : num(p.idWithArcface()) + " with --arcface, else 0";
    }

    private static String row(String option, String bundled, String published) {
        return String.format("  %-24s%-22s%s", option, bundled, published).stripTrailing();
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    private static <T> T or(T given, T preset) {
        return given != null ? given : preset;
    }
}
