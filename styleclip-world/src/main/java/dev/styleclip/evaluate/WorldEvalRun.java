package dev.styleclip.evaluate;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.image.Images;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;

/**
 * A whole {@code styleclip world eval}: loads the models (the bundled ones where no file is given), measures how
 * recognisable the generator's samples are and, unless skipped, what CLIP can tell apart ({@link WorldEval}'s CLIP
 * checks), then judges every prompt with every method on its first eligible seeds. After each row it rewrites
 * {@code table.md}, {@code table.csv} and {@code seeds.csv} ({@link WorldEvalReport}) and a before/after sheet
 * {@code <prompt>_<method>.png} of the first 8 seeds (top row before, bottom row after) in the output folder. A stop
 * asked for through {@link Stop} ends it between rows (or at a step boundary of an optimization), keeping the rows
 * written.
 */
public final class WorldEvalRun {
    /** Seeds in each before/after sheet. */
    public static final int SHEET_SEEDS = 8;

    private WorldEvalRun() {
    }

    /** An editing method, named as the table names it. */
    public enum Method {
        /** Latent optimization, all seeds of a prompt as one batch. */
        OPTIMIZE,
        /** A latent mapper per prompt; a prompt without one has no row. */
        MAPPER,
        /** Global directions. */
        GLOBAL;

        /** The name in the table and on the command line: optimize, mapper, global. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The method of that {@link #label()}, if there is one. */
        public static Optional<Method> parse(String label) {
            for (Method m : values()) if (m.label().equals(label)) return Optional.of(m);
            return Optional.empty();
        }

        /** The method of that {@link #label()}; another value is a {@link SettingException} naming {@code setting}. */
        public static Method parse(String setting, String label) {
            return parse(label).orElseThrow(() -> new SettingException(setting, "must be optimize, mapper or global, not " + label));
        }
    }

    /** Whether the CLIP checks run before the table (about a minute). */
    public enum ClipChecks { RUN, SKIP }

    /**
     * The model files; null means the bundled one. The bundled mappers are used only with the bundled generator and
     * CLIP.
     *
     * @param mappers a folder of mapper checkpoints named after their prompt ({@code mohawk_hairstyle.pt})
     */
    public record Models(Path generator, Path clip, Path classifier, Path directions, Path mappers) {
        /** All bundled. */
        public static final Models BUNDLED = new Models(null, null, null, null, null);

        Path generatorFile() {
            return generator != null ? generator : BundledModels.path(BundledModels.GENERATOR);
        }

        Path clipFile() {
            return clip != null ? clip : BundledModels.path(BundledModels.CLIP);
        }

        Path classifierFile() {
            return classifier != null ? classifier : BundledModels.path(BundledModels.CLASSIFIER);
        }

        /** The mapper for {@code prompt}: DIR/slug.pt under {@link #mappers}, else the bundled one; empty if there is none. */
        Optional<Path> mapper(String prompt) {
            if (mappers != null) {
                Path f = mappers.resolve(BundledModels.slug(prompt) + ".pt");
                return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
            }
            return generator == null && clip == null && BundledModels.mapperPrompts().contains(prompt)
                    ? Optional.of(BundledModels.path(BundledModels.mapperName(prompt))) : Optional.empty();
        }
    }

    /**
     * An evaluation's settings; a bad value is a {@link SettingException} named as {@code world eval}'s option.
     *
     * @param targets      the prompts judged, e.g. {@link WorldEval#TARGETS}
     * @param seeds        seeds per prompt, at least 1
     * @param firstSeed    each prompt's seeds are taken from this one on (0 gives the README's table)
     * @param optimization latent optimization's settings (the prompt is replaced by each target's; no identity term)
     * @param global       global directions' neutral text, alpha and beta (its target is replaced by each prompt)
     * @param readable     preservation counts the categories read on generator samples with at least this agreement
     * @param recognition  generator samples for the recognisability figure, at least 1
     * @param out          the output folder (created if needed; files of the same names are replaced)
     */
    public record Settings(Models models, List<WorldEval.Target> targets, List<Method> methods, int seeds, int firstSeed,
                           LatentOptimization.Settings optimization, GlobalDirections.Settings global, double readable,
                           int recognition, ClipChecks clipChecks, Path out) {
        public Settings {
            Checks.given("models", models);
            targets = List.copyOf(targets);
            methods = List.copyOf(methods);
            Checks.atLeast("seeds", seeds, 1);
            Checks.atLeast("recognition", recognition, 1);
            Checks.between("first-seed", firstSeed, 0, 1_000_000_000);
            Checks.closed("readable", readable, 0, 1);
            Checks.given("optimization", optimization);
            Checks.given("global", global);
            Checks.given("clip-checks", clipChecks);
            Checks.given("out", out);
        }
    }

    /** A judged row: its table line, the seconds it took and, for latent optimization with a retry, the seeds retried. */
    public record RowDone(WorldEval.Row row, String line, double seconds, OptionalInt retried) {
    }

    /** What an evaluation reports as it goes; every method is optional. */
    public interface Listener {
        /** A line above the table (recognition, the CLIP checks, the categories preservation counts), once measured. */
        default void onPreamble(String line) {
        }

        /** A row was judged and the files rewritten. */
        default void onRow(RowDone row) {
        }
    }

    /** The finished evaluation: {@code table.md}'s text, its path and the rows. */
    public record Result(String markdown, Path table, List<WorldEval.Row> rows) {
    }

    /** The judged target for {@code prompt}, one of {@link WorldEval#TARGETS}. */
    public static Optional<WorldEval.Target> target(String prompt) {
        return WorldEval.TARGETS.stream().filter(t -> t.prompt().equals(prompt)).findFirst();
    }

    /** Runs the evaluation of {@code s}; an impossible output folder fails before a model is loaded. */
    public static Result run(Settings s, Listener listener) throws IOException {
        EvalModels.check(s.models());
        OutputFiles.checkFolder(s.out());
        Files.createDirectories(s.out());
        try (EvalModels models = EvalModels.open(s.models(), s.methods())) {
            WorldEval eval = models.eval;
            WorldEval.Recognition recognition = models.recognize(s.recognition(), s.readable());
            List<String> preamble = new ArrayList<>();
            note(preamble, listener, WorldEvalReport.recognitionLine(recognition));
            note(preamble, listener, WorldEvalReport.agreementLine(recognition));
            if (s.clipChecks() == ClipChecks.RUN) {
                note(preamble, listener, WorldEvalReport.zeroShotLine(eval.clipZeroShot(5000, 300)));
                note(preamble, listener, WorldEvalReport.rankingLine(eval.clipRankingAuc(s.targets(), 6000, 400)));
                note(preamble, listener, WorldEvalReport.probeLine(eval.clipLinearProbe(7000, 1200, 400)));
                note(preamble, listener, WorldEvalReport.twinsLine(eval.clipTwins(s.targets(), 8000, 200)));
            }
            note(preamble, listener, WorldEvalReport.judgedLine(s.readable(), recognition.readable(s.readable())));
            WorldEvalReport report = new WorldEvalReport(preamble, s.optimization().retry());
            for (WorldEval.Target t : s.targets()) {
                List<Integer> chosen = eval.eligibleSeeds(t, s.seeds(), s.firstSeed(), 20 * s.seeds() + 200);
                for (Method m : s.methods()) {
                    Stop.check();
                    if (!models.canEdit(m, t)) continue; // no mapper trained for this prompt
                    long t0 = System.nanoTime();
                    AtomicInteger retried = new AtomicInteger();
                    WorldEval.Row row;
                    try (PointerScope scope = new PointerScope()) {
                        WorldEval.Edited edited = models.edit(m, t, eval.wplus(chosen), s.optimization(), s.global(), retried::addAndGet);
                        row = eval.score(t, m.label(), edited.before(), edited.after());
                        writeSheet(s.out(), t, m, edited, chosen.subList(0, Math.min(SHEET_SEEDS, chosen.size())));
                    }
                    boolean targetRead = recognition.agreementByCategory().getOrDefault(t.category(), 0.0) >= s.readable();
                    OptionalInt retriedSeeds = m == Method.OPTIMIZE && !s.optimization().retry().none() ? OptionalInt.of(retried.get()) : OptionalInt.empty();
                    RowDone done = new RowDone(row, report.add(row, chosen, targetRead, retriedSeeds), (System.nanoTime() - t0) / 1e9, retriedSeeds);
                    report.write(s.out());
                    listener.onRow(done);
                }
            }
            return new Result(report.markdown(), s.out().resolve(WorldEvalReport.TABLE_MD), report.rows());
        }
    }

    private static void note(List<String> preamble, Listener listener, String line) {
        preamble.add(line);
        listener.onPreamble(line);
    }

    /** The first seeds' images from the evaluation itself: top row before, bottom row after. */
    private static void writeSheet(Path out, WorldEval.Target t, Method m, WorldEval.Edited edited, List<Integer> seeds) throws IOException {
        if (seeds.isEmpty()) return;
        List<BufferedImage> all = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) all.add(Images.toImage(edited.before(), i));
        for (int i = 0; i < seeds.size(); i++) all.add(Images.toImage(edited.after(), i));
        Images.write(out.resolve(BundledModels.slug(t.prompt()) + "_" + m.label() + ".png"), Images.grid(all, seeds.size()),
                Map.of("styleclip", "{\"tool\":\"world eval\",\"prompt\":\"" + t.prompt() + "\",\"method\":\"" + m.label()
                        + "\",\"seeds\":\"" + seeds + "\"}"));
    }
}
