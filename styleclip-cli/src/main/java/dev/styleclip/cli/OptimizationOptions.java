package dev.styleclip.cli;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.ClipViews;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.LatentSmoothing;
import dev.styleclip.edit.optimize.LooseRetry;
import dev.styleclip.edit.optimize.OptimizationMode;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.edit.optimize.OptimizationSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Latent optimization's settings, shared by {@code edit}, {@code optimize} and {@code world eval}. An option not given
 * takes the value of the command's {@link OptimizationPreset}; each command lists its presets' values in its help
 * ({@link #defaultsFooter}).
 */
final class OptimizationOptions {
    @Option(names = "--space", paramLabel = "w|w+|s", description = "optimize: the latent that moves: w (one offset added to every "
            + "W+ row; not in StyleCLIP), w+ (a vector per row, as StyleCLIP) or s (style space; without smoothing).")
    String space;

    @Option(names = "--steps", paramLabel = "N", description = "optimize: Adam steps.")
    Integer steps;

    @Option(names = "--lr", paramLabel = "LR", description = "optimize: peak learning rate, in (0, 10].")
    Double lr;

    @Option(names = "--l2-lambda", paramLabel = "L", description = "optimize: weight of the squared distance to the start.")
    Double l2Lambda;

    @Option(names = "--l1-lambda", paramLabel = "L", description = "optimize: weight of the absolute distance to the start, which "
            + "leaves the coordinates the prompt pulls weakly where they were (not in StyleCLIP).")
    Double l1Lambda;

    @Option(names = "--l1-ramp", paramLabel = "F", description = "optimize: the share of the steps over which the L1 weight rises "
            + "from 0 to --l1-lambda, so that the edit first moves and the weakly pulled coordinates are pulled back after "
            + "(0: the full weight from the first step; not in StyleCLIP).")
    Double l1Ramp;

    @Option(names = "--l1-pull-share", paramLabel = "R", description = "optimize: cap the L1 weight so that its pull on a coordinate "
            + "is at most R times the prompt's pull (the median, over 16 generator samples, of CLIP's largest gradient coordinate), "
            + "so that a prompt CLIP pulls on weakly is held back less (0: no cap; W and W+ only; not in StyleCLIP).")
    Double l1PullShare;

    @Option(names = "--retry-below", paramLabel = "G", description = "optimize: optimize again, from the start and with the L1 "
            + "weight --retry-l1, where CLIP's cosine to the prompt rose by less than G (0: one pass; edit mode only; not in StyleCLIP).")
    Double retryBelow;

    @Option(names = "--retry-l1", paramLabel = "L", description = "optimize: the L1 weight of that second pass.")
    Double retryL1;

    @Option(names = "--smooth", paramLabel = "K", description = "optimize: average the CLIP loss over K latents near the current "
            + "one each step, moved by Gaussian offsets in W, so that the edit follows what raises CLIP's similarity all around "
            + "(0: off; W and W+ only; not in StyleCLIP).")
    Integer smooth;

    @Option(names = "--smooth-sigma", paramLabel = "S", description = "optimize: standard deviation of those offsets per W coordinate.")
    Double smoothSigma;

    @Option(names = "--views", paramLabel = "K", description = "optimize: average the CLIP loss over K random crops (80-100%% of the "
            + "side) and mirrorings of the image each step (0: the image as it is; not in StyleCLIP).")
    Integer views;

    @Option(names = "--id-lambda", paramLabel = "L", description = "optimize: weight of the identity loss (ArcFace IR-SE50; above 0 "
            + "it needs --arcface).")
    Double idLambda;

    /** The settings these options give over {@code preset}; a bad value is a {@link SettingException} naming its option. */
    LatentOptimization.Settings settings(OptimizationPreset preset, String prompt, OptimizationMode mode, long seed) {
        OptimizationSpace sp = space == null ? preset.space() : parseSpace(space);
        boolean inS = sp == OptimizationSpace.S; // the preset's smoothing and pull cap work in W and W+ only
        int k = smooth != null ? smooth : inS ? 0 : preset.smooth();
        double pullShare = l1PullShare != null ? l1PullShare : inS ? 0 : preset.l1PullShare();
        double sigma = smoothSigma != null ? Checks.positive("smooth-sigma", smoothSigma) : preset.smoothSigma();
        int v = views != null ? Checks.atLeast("views", views, 0) : 0;
        return new LatentOptimization.Settings(prompt, mode, sp, or(steps, preset.steps()), or(lr, preset.lr()),
                or(l2Lambda, preset.l2Lambda()), or(idLambda, preset.idLambda()), v == 0 ? ClipViews.NONE : ClipViews.of(v, seed),
                LatentSmoothing.of(Checks.atLeast("smooth", k, 0), sigma, seed), or(l1Lambda, preset.l1Lambda()),
                or(l1Ramp, preset.l1Ramp()), pullShare,
                new LooseRetry(or(retryBelow, preset.retryBelow()), or(retryL1, preset.retryL1())));
    }

    /** An identity weight above 0 needs the IR-SE50 weights; refused before any model is loaded when they are not given. */
    static void requireArcface(LatentOptimization.Settings s, java.nio.file.Path arcface) {
        if (s.idLambda() > 0 && s.mode() == OptimizationMode.EDIT && arcface == null) {
            throw new SettingException("id-lambda", s.idLambda() + " needs --arcface (model_ir_se50.pth); give it, or pass --id-lambda 0");
        }
    }

    static OptimizationSpace parseSpace(String s) {
        try {
            return OptimizationSpace.parse(s);
        } catch (IllegalArgumentException e) {
            throw new SettingException("space", "must be w, w+ or s, not " + s);
        }
    }

    private static <T> T or(T given, T preset) {
        return given != null ? given : preset;
    }

    /**
     * A help footer listing the optimization defaults of each preset, one column per preset, e.g. for {@code edit}:
     * the bundled generator's and the published generators'.
     */
    static String[] defaultsFooter(List<String> headings, List<OptimizationPreset> presets) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("--space", presets, p -> p.space() == OptimizationSpace.W ? "w" : p.space() == OptimizationSpace.W_PLUS ? "w+" : "s"));
        rows.add(row("--steps", presets, p -> String.valueOf(p.steps())));
        rows.add(row("--lr", presets, p -> num(p.lr())));
        rows.add(row("--l2-lambda", presets, p -> num(p.l2Lambda())));
        rows.add(row("--l1-lambda", presets, p -> num(p.l1Lambda())));
        rows.add(row("--l1-ramp", presets, p -> num(p.l1Ramp())));
        rows.add(row("--l1-pull-share", presets, p -> num(p.l1PullShare())));
        rows.add(row("--retry-below", presets, p -> num(p.retryBelow())));
        rows.add(row("--retry-l1", presets, p -> num(p.retryL1())));
        rows.add(row("--smooth", presets, p -> String.valueOf(p.smooth())));
        rows.add(row("--smooth-sigma", presets, p -> num(p.smoothSigma())));
        rows.add(row("--views", presets, p -> "0"));
        rows.add(row("--id-lambda", presets, p -> num(p.idLambda())));
        rows.add(row("--truncation", presets, p -> num(p.truncation())));
        List<String> out = new ArrayList<>();
        out.add("");
        out.add("Defaults of the optimization options:");
        StringBuilder head = new StringBuilder(String.format("  %-16s", ""));
        for (String h : headings) head.append(String.format("%-22s", h));
        out.add(head.toString().stripTrailing());
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder(String.format("  %-16s", r[0]));
            for (int i = 1; i < r.length; i++) b.append(String.format("%-22s", r[i]));
            out.add(b.toString().stripTrailing());
        }
        // picocli reads '%' as a format character in usage text
        return out.stream().map(s -> s.replace("%", "%%")).toArray(String[]::new);
    }

    private static String[] row(String option, List<OptimizationPreset> presets, Function<OptimizationPreset, String> value) {
        String[] r = new String[presets.size() + 1];
        r[0] = option;
        for (int i = 0; i < presets.size(); i++) r[i + 1] = value.apply(presets.get(i));
        return r;
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
