package dev.styleclip.train.gan;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import dev.styleclip.train.WorldData;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.WorldPrior;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A run of {@link RenderDistillation} on the world's renders into a folder, as {@code styleclip world train-generator}
 * runs it: optionally a warm start ({@link RenderDistillation#initFrom}), a one-hot re-layout of the codes
 * ({@link RenderDistillation#relayout}) and an L1 weighted by the detail mask ({@link WorldData#detailMask}); then the
 * steps, with {@code OUT/generator.pt} (and in codes mode its {@link RenderDistillation#CODES_FILE} beside it) saved
 * and a sample grid {@code OUT/samples/NNNNNN.png} written every {@code every} steps and after the last; in codes mode
 * the mapping network is then compiled ({@link RenderDistillation#compileMapping}) or polished by regression
 * ({@link RenderDistillation#polishMapping}) and saved again. A stop asked for through {@link Stop} ends the steps at
 * a step boundary and saves the generator as it is.
 */
public final class RenderDistillationRun {
    /** The generator file under OUT. */
    public static final String GENERATOR_FILE = "generator.pt";
    /** Human portraits the detail mask averages over. */
    public static final int DETAIL_PORTRAITS = 64;
    /** Latents of the sample grids and of the g_ema L1 reported at each save: this many, drawn after torch.manual_seed(12345). */
    public static final int SAMPLE_LATENTS = 8;
    /** Latents per update of the mapping polish. */
    public static final int POLISH_BATCH = 1024;
    private static final long SAMPLE_SEED = 12345;

    private RenderDistillationRun() {
    }

    /** What the synthesis learns from. */
    public enum Mode {
        /** Plain render distillation: z through the mapping network, as it learns. */
        PLAIN,
        /** A learned code per attribute cell ({@link LatentCodes}); the mapping network learns to reproduce the codes. */
        CODES
    }

    /** How a codes-mode run finishes its mapping network after the steps. */
    public enum MappingFinish {
        /** The codes written into the mapping's weights ({@link MappingCompiler}). */
        COMPILE,
        /** {@code polishSteps} mapping-only regression steps (none when 0). */
        POLISH
    }

    /**
     * A run's settings; a bad value is a {@link SettingException} named as {@code world train-generator}'s option.
     *
     * @param options          the generator's shape and the optimisation ({@link RenderDistillation.Options})
     * @param mode             plain distillation or codes mode
     * @param steps            updates; 0 only in codes mode with {@code init} (the mapping's final step alone)
     * @param init             a generator file to start from (its codes beside it in codes mode), or null for random weights
     * @param oneHot           codes mode with {@code init}: re-lay the codes one-hot at this distance along each class's
     *                         axis ({@link LatentCodes#oneHot}); the codes then stay fixed. Empty: keep the layout
     * @param ramp             width of a compiled threshold's ramp, in PixelNorm(z) units
     * @param finish           codes mode: compile the mapping, or polish it
     * @param polishSteps      updates of the polish
     * @param polishLr         learning rate of the polish
     * @param detailWeight     K: the L1 per pixel weighted by 1 + K * the detail mask of {@code detailCategories} (0: a plain mean)
     * @param detailCategories categories of the detail mask, each one of {@link WorldData#DETAIL_CATEGORIES}
     * @param every            save and sample every this many steps
     * @param out              the output folder (created if needed; files of the same names are replaced)
     */
    public record Settings(RenderDistillation.Options options, Mode mode, long steps, Path init, OptionalDouble oneHot, double ramp,
                           MappingFinish finish, int polishSteps, double polishLr, double detailWeight,
                           List<AttributeCategory> detailCategories, long every, Path out) {
        public Settings {
            Checks.given("options", options);
            Checks.given("mode", mode);
            Checks.given("finish", finish);
            Checks.given("out", out);
            oneHot = oneHot == null ? OptionalDouble.empty() : oneHot;
            detailCategories = detailCategories == null ? List.of() : List.copyOf(detailCategories);
            if (steps < 0 || (steps == 0 && !(mode == Mode.CODES && init != null))) {
                throw new SettingException("steps", "must be positive (0 only with --codes and --init: the mapping's final step alone)");
            }
            if (every < 1) throw new SettingException("every", "must be positive");
            if (polishSteps < 0) throw new SettingException("polish", "must not be negative");
            Checks.positive("polish-lr", polishLr);
            Checks.positive("ramp", ramp);
            if (oneHot.isPresent() && (mode != Mode.CODES || init == null)) throw new SettingException("one-hot-codes", "needs --codes and --init");
            if (oneHot.isPresent() && !(oneHot.getAsDouble() > 0)) throw new SettingException("one-hot-codes", "must be positive");
            if (options.interpolation().fraction() > 0 && mode != Mode.CODES) throw new SettingException("crossfade", "needs --codes");
            if (!(detailWeight >= 0)) throw new SettingException("detail-weight", "must not be negative");
            for (AttributeCategory c : detailCategories) {
                if (!WorldData.DETAIL_CATEGORIES.contains(c)) {
                    throw new SettingException("detail-categories", "has no detail mask for " + c.name() + "; known: "
                            + WorldData.DETAIL_CATEGORIES.stream().map(AttributeCategory::name).toList());
                }
            }
            if (options.config().styleDim() < WorldPrior.USED_DIMENSIONS) {
                throw new SettingException("style-dim", "must be at least " + WorldPrior.USED_DIMENSIONS + " (the world's latent slots)");
            }
        }
    }

    /** What a run reports, in order; every method is optional. */
    public interface Listener {
        /**
         * After update {@code step} (0-based) of {@code steps}: its L1, a running average (0.95 decay) and, while the
         * mapping network learns the codes, its mean squared error to them.
         */
        default void onStep(long step, long steps, double l1, double averageL1, OptionalDouble mappingMse) {
        }

        /** The mapping polish of {@code updates} updates begins. */
        default void onPolishStart(int updates) {
        }

        /** After polish update {@code done} (1-based) of {@code updates}. */
        default void onPolishStep(long done, int updates, double mse) {
        }

        /**
         * A line worth keeping, as {@code world train-generator} prints it: the weights read, the codes re-laid, the
         * detail weights, each save with g_ema's L1 on the sample latents, a stop, the compiled or polished mapping.
         */
        default void onNote(String line) {
        }
    }

    /** How the run ended. */
    public enum Outcome { FINISHED, STOPPED }

    /** Runs {@code s}; an impossible output folder fails before anything is trained. */
    public static Outcome run(Settings s, Listener listener) throws IOException {
        OutputFiles.checkFolder(s.out());
        Files.createDirectories(s.out().resolve("samples"));
        int size = s.options().config().size();
        int styleDim = s.options().config().styleDim();
        boolean codes = s.mode() == Mode.CODES;
        Path file = s.out().resolve(GENERATOR_FILE);
        try (RenderDistillation t = new RenderDistillation(s.options(), WorldData.priorRenders(size), codes ? WorldData.priorFactors() : null)) {
            prepare(t, s, listener);
            torch.manual_seed(SAMPLE_SEED);
            Tensor fixed = torch.randn(SAMPLE_LATENTS, styleDim);
            double running = Double.NaN;
            while (t.nextStep() < s.steps() && !Stop.requested()) {
                double loss = t.step();
                running = Double.isNaN(running) ? loss : 0.95 * running + 0.05 * loss;
                listener.onStep(t.nextStep() - 1, s.steps(), loss, running,
                        codes && !t.codesFixed() ? OptionalDouble.of(t.lastMappingLoss()) : OptionalDouble.empty());
                if (t.nextStep() % s.every() == 0 || t.nextStep() == s.steps()) {
                    save(t, file, codes);
                    t.writeSamples(fixed, sampleFile(s, "%06d.png", t.nextStep()));
                    listener.onNote(String.format("step %d: wrote %s (g_ema L1 on the sample latents %.4f)", t.nextStep(), file, t.emaLoss(fixed)));
                }
            }
            if (Stop.requested()) {
                save(t, file, codes);
                listener.onNote("stopped at step " + t.nextStep() + ": wrote " + file + (codes && !t.codesFixed()
                        ? " and its codes; polish the mapping with --codes --steps 0 --init " + file
                        : codes ? " and its codes (the mapping is compiled for them)" : ""));
                return Outcome.STOPPED;
            }
            if (codes) finishMapping(t, s, file, fixed, listener);
            return Outcome.FINISHED;
        }
    }

    /** Codes mode, after the last step: the mapping compiled or polished, then the generator saved and sampled again. */
    private static void finishMapping(RenderDistillation t, Settings s, Path file, Tensor fixed, Listener listener) throws IOException {
        if (s.finish() == MappingFinish.COMPILE) {
            double mse = t.compileMapping(s.ramp());
            save(t, file, true);
            t.writeSamples(fixed, sampleFile(s, "%06d_compiled.png", t.nextStep()));
            listener.onNote(String.format("mapping compiled (mse to the codes %.5f): wrote %s (g_ema L1 on the sample latents %.4f)", mse,
                    file, t.emaLoss(fixed)));
        } else if (s.polishSteps() > 0) {
            listener.onPolishStart(s.polishSteps());
            double mse = t.polishMapping(s.polishSteps(), POLISH_BATCH, s.polishLr(), (i, e) -> listener.onPolishStep(i, s.polishSteps(), e));
            save(t, file, true);
            t.writeSamples(fixed, sampleFile(s, "%06d_polished.png", t.nextStep()));
            listener.onNote(String.format("mapping polished (%d steps, mse %.5f): wrote %s (g_ema L1 on the sample latents %.4f)",
                    s.polishSteps(), mse, file, t.emaLoss(fixed)));
        }
    }

    /** The warm start, the one-hot layout and the detail weights, as the settings ask. */
    private static void prepare(RenderDistillation t, Settings s, Listener listener) throws IOException {
        if (s.init() != null) {
            t.initFrom(s.init());
            listener.onNote("started from " + s.init());
        }
        if (s.oneHot().isPresent()) {
            double distance = s.oneHot().getAsDouble();
            int styleDim = s.options().config().styleDim();
            double moved = t.relayout(LatentCodes.oneHot(WorldData.priorFactors(), styleDim, distance), s.ramp());
            listener.onNote(String.format("re-laid the codes one-hot at distance %s (images moved by at most %.4f)", distance, moved));
        }
        if (s.detailWeight() > 0) {
            float[] mask = WorldData.detailMask(s.detailCategories(), DETAIL_PORTRAITS, s.options().config().size(), s.options().seed());
            float[] w = new float[mask.length];
            double mean = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (1 + s.detailWeight() * mask[i]);
                mean += w[i] / w.length;
            }
            t.setPixelWeights(w);
            listener.onNote(String.format("L1 weighted by 1 + %s * the detail mask of %s (mean weight %.3f)", s.detailWeight(),
                    s.detailCategories().stream().map(AttributeCategory::name).toList(), mean));
        }
    }

    /** The generator file, and in codes mode its codes beside it (where a later run's init picks them up). */
    private static void save(RenderDistillation t, Path file, boolean codes) throws IOException {
        t.saveGenerator(file, true);
        if (codes) t.saveCodes(file.resolveSibling(RenderDistillation.CODES_FILE));
    }

    private static Path sampleFile(Settings s, String pattern, long step) {
        return s.out().resolve("samples").resolve(String.format(pattern, step));
    }
}
