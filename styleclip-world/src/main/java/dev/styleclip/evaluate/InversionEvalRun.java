package dev.styleclip.evaluate;

import com.google.gson.GsonBuilder;
import dev.styleclip.StyleClip;
import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.image.Images;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.ImageMetrics;
import dev.styleclip.invert.InversionMethod;
import dev.styleclip.invert.InversionPreset;
import dev.styleclip.invert.InversionSettings;
import dev.styleclip.invert.Projector;
import dev.styleclip.invert.encoder.Encoder;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stop.Stop;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.WorldSample;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A whole {@code styleclip world invert-eval}: how well pictures the generator did not draw are inverted, and how their
 * latents then edit. The held-out renders ({@link InversionEval#heldOut}) and their {@link InversionEval.Variant
 * variants} are inverted by each method, a batch of pictures at a time (the projector runs a batch as that many
 * independent inversions). Per method and variant: the inversion's time per picture; PSNR, SSIM and the CLIP-feature
 * distance of reconstruction (a), the inversion's own (its latent with the noise maps it optimized); and the judge's
 * agreement with the renders' true attributes on (b), the latent synthesized with the generator's own noise buffers,
 * which is where every edit starts, and on (a).
 *
 * <p>Then, from the latents of the plain renders ({@link #editStart}), each of world eval's editing methods edits up to
 * K renders that can take each prompt ({@link InversionEval#eligible}), scored against the renders' true classes, beside
 * the same method on K generator samples as {@code world eval} picks them (an upper bound).
 *
 * <p>The output folder gets {@link InversionEvalReport}'s files, rewritten after every batch and every edit row (a stop
 * asked for through {@link Stop} ends the run at a step boundary and keeps them), and {@value
 * InversionEvalReport#CONTACT_SHEET}.
 */
public final class InversionEvalRun {
    /** Renders in the contact sheet. */
    public static final int SHEET_ROWS = 4;
    /** The contact sheet's label strip, in pixels. */
    private static final int LABEL_HEIGHT = 14;

    /**
     * An evaluation's settings; a bad value is a {@link SettingException} named as {@code world invert-eval}'s option.
     *
     * @param models       the model files (null fields: the bundled ones)
     * @param encoder      the encoder file; null: the bundled encoder (bundled generator only)
     * @param methods      the inversions measured (repeats dropped)
     * @param variants     the picture variants inverted (repeats dropped)
     * @param renders      held-out renders, at least 1
     * @param steps        projector steps of {@code optimize} and {@code encoder+optimize}; 0: the inversion preset's
     * @param editRenders  renders per prompt in the edit table, at most (0: no edit table)
     * @param editMethods  the editing methods of the edit table
     * @param batch        pictures inverted at once, at least 1
     * @param optimization latent optimization's settings for the edits (the prompt is replaced by each target's)
     * @param global       global directions' neutral text, alpha and beta for the edits (the target is each prompt)
     * @param readable     the agreement counts the categories the judge reads on generator samples at least this well
     * @param recognition  generator samples that decide those categories, at least 1
     * @param out          the output folder (created if needed; files of the same names are replaced)
     */
    public record Settings(WorldEvalRun.Models models, Path encoder, List<InversionMethod> methods, List<InversionEval.Variant> variants,
                           int renders, int steps, int editRenders, List<WorldEvalRun.Method> editMethods, int batch,
                           LatentOptimization.Settings optimization, GlobalDirections.Settings global, double readable, int recognition,
                           Path out) {
        public Settings {
            Checks.given("models", models);
            methods = List.copyOf(new LinkedHashSet<>(methods));
            variants = List.copyOf(new LinkedHashSet<>(variants));
            editMethods = List.copyOf(new LinkedHashSet<>(editMethods));
            if (methods.isEmpty()) throw new SettingException("methods", "must name at least one method");
            if (variants.isEmpty()) throw new SettingException("variants", "must name at least one variant");
            Checks.atLeast("renders", renders, 1);
            if (steps != 0) Checks.between("steps", steps, 1, Projector.MAX_STEPS);
            Checks.atLeast("edit-renders", editRenders, 0);
            if (editRenders > 0 && editMethods.isEmpty()) throw new SettingException("edit-methods", "must name at least one method");
            Checks.atLeast("batch", batch, 1);
            Checks.given("optimization", optimization);
            Checks.given("global", global);
            Checks.closed("readable", readable, 0, 1);
            Checks.atLeast("recognition", recognition, 1);
            Checks.given("out", out);
        }

        /** Whether a method runs an encoder. */
        boolean usesEncoder() {
            return methods.stream().anyMatch(m -> m != InversionMethod.OPTIMIZE);
        }
    }

    /** A cell measured to its last batch: its table line and the seconds it took. */
    public record CellDone(InversionEvalReport.Cell cell, String line, double seconds) {
    }

    /** An edit row judged: its table line and the seconds it took. */
    public record EditDone(InversionEvalReport.EditRow row, String line, double seconds) {
    }

    /** What an evaluation reports as it goes; every method is optional. */
    public interface Listener {
        /** A line above the tables (the categories the agreement counts), once measured. */
        default void onPreamble(String line) {
        }

        /**
         * Progress of {@code task} ("encoder+optimize on renders"): unit {@code step} (0-based) of {@code total} done; a
         * unit is a projector step of one batch, or a batch for the encoder alone.
         */
        default void onProgress(String task, long step, long total, String values) {
        }

        default void onCell(CellDone done) {
        }

        default void onEdit(EditDone done) {
        }
    }

    /** The finished evaluation: {@value InversionEvalReport#REPORT_MD}'s text, its path, the cells and the edit rows. */
    public record Result(String markdown, Path report, List<InversionEvalReport.Cell> cells, List<InversionEvalReport.EditRow> edits) {
    }

    private final Settings s;
    private final Listener listener;
    private final EvalModels models;
    private final Encoder encoder; // null when no method runs one
    private final Path encoderFile;
    private final InversionPreset preset;
    private final ClipFeatureDistance features;
    private final Projector projector;
    private final List<WorldSample> samples;
    private InversionEval judge;
    private InversionEvalReport report;

    private InversionEvalRun(Settings s, Listener listener, EvalModels models, Encoder encoder, Path encoderFile, InversionPreset preset) {
        this.s = s;
        this.listener = listener;
        this.models = models;
        this.encoder = encoder;
        this.encoderFile = encoderFile;
        this.preset = preset;
        this.features = new ClipFeatureDistance(models.clip, models.g.config().size());
        this.projector = new Projector(models.g, features, null);
        this.samples = InversionEval.heldOut(s.renders());
    }

    /**
     * The inversion whose latents of the plain renders the edits start from: the first of encoder+optimize, optimize
     * and encoder that {@code methods} holds.
     */
    public static InversionMethod editStart(List<InversionMethod> methods) {
        for (InversionMethod m : List.of(InversionMethod.ENCODER_OPTIMIZE, InversionMethod.OPTIMIZE, InversionMethod.ENCODER)) {
            if (methods.contains(m)) return m;
        }
        throw new IllegalArgumentException("no inversion method");
    }

    /** Runs the evaluation of {@code s}; a missing encoder or an impossible output folder fails before a model is loaded. */
    public static Result run(Settings s, Listener listener) throws IOException {
        EvalModels.check(s.models());
        OutputFiles.checkFolder(s.out());
        Path encoderFile = encoderFile(s);
        InversionPreset preset = StyleClip.inversionPresetFor(s.models().generatorFile());
        Files.createDirectories(s.out());
        try (EvalModels models = EvalModels.open(s.models(), s.editRenders() > 0 ? s.editMethods() : List.of());
             Encoder encoder = encoderFile == null ? null : Encoder.load(encoderFile, models.g.config(), generatorLabel(s.models()));
             PointerScope scope = new PointerScope()) {
            return new InversionEvalRun(s, listener, models, encoder, encoderFile, preset).run();
        }
    }

    private Result run() throws IOException {
        Set<AttributeCategory> judged = models.recognize(s.recognition(), s.readable()).readable(s.readable());
        judge = new InversionEval(models.classifier, judged);
        String judgedLine = String.format(Locale.ROOT, "The agreement counts the categories the judge reads on %d generator samples "
                + "with agreement >= %.0f%% (as world eval's preservation does): %s", s.recognition(), 100 * s.readable(),
                judged.stream().map(AttributeCategory::name).toList());
        listener.onPreamble(judgedLine);
        report = new InversionEvalReport(header(judgedLine), setup(), judged);
        report.write(s.out());
        InversionMethod start = editStart(s.methods());
        List<Trial> trials = new ArrayList<>();
        for (InversionMethod m : s.methods()) for (InversionEval.Variant v : s.variants()) trials.add(new Trial(m, v));
        Trial startTrial = new Trial(start, InversionEval.Variant.RENDER);
        if (s.editRenders() > 0 && !trials.contains(startTrial)) trials.add(startTrial); // the edits need those latents
        Trial kept = trials.contains(startTrial) ? startTrial : trials.get(0); // its latents make the contact sheet
        Tensor latents = null;
        for (Trial c : trials) {
            Tensor w = invert(c, c.equals(kept));
            if (c.equals(kept)) latents = w;
        }
        writeSheet(kept.variant(), latents);
        if (s.editRenders() > 0) edit(latents);
        return new Result(report.markdown(), s.out().resolve(InversionEvalReport.REPORT_MD), report.cells(), report.edits());
    }

    /** A method on a variant of the renders: a cell of the inversion table. */
    private record Trial(InversionMethod method, InversionEval.Variant variant) {
        String task() {
            return method.label() + " on " + variant.key();
        }
    }

    /** The projector's settings for {@code m}: the preset's, with --steps where given. */
    private InversionSettings inversion(InversionMethod m) {
        Projector.Settings p = preset.settings(m, false);
        return new InversionSettings(m, s.steps() > 0 ? p.withSteps(s.steps()) : p, encoderFile);
    }

    /**
     * Inverts every render of a cell's variant, a batch at a time, rewriting the report after each batch; returns the
     * latents W+ [N, L, D] when {@code keepLatents} (outside any scope), else null.
     */
    private Tensor invert(Trial c, boolean keepLatents) throws IOException {
        InversionSettings inv = inversion(c.method());
        int n = samples.size(), b = s.batch(), batches = (n + b - 1) / b;
        long units = inv.optimizes() ? (long) batches * inv.projector().steps() : batches;
        if (inv.optimizes()) projector.sigmaW(); // computed once, outside the timing
        Measured measured = new Measured();
        long t0 = System.nanoTime();
        try (PointerScope cellScope = new PointerScope()) {
            Tensor pictures = InversionEval.pictures(samples, models.g.config().size(), c.variant()); // [N, 3, S, S]
            TensorVector kept = new TensorVector();
            for (int k = 0; k < batches; k++) {
                Stop.check();
                int first = k * b, count = Math.min(b, n - first);
                try (PointerScope batchScope = new PointerScope()) {
                    Tensor target = pictures.narrow(0, first, count);
                    Projector.Result r = invert(inv, target, step(c, k, units, inv));
                    measured.seconds += r.seconds();
                    try (NoGradGuard ng = new NoGradGuard()) {
                        measured.add(target, clamp(r.image()), models.eval.image(r.latent()));
                    }
                    if (keepLatents) kept.push_back(Tensors.keep(batchScope, r.latent()));
                }
                report.put(measured.cell(c));
                report.write(s.out());
                if (!inv.optimizes()) listener.onProgress(c.task(), k, units, String.format(Locale.ROOT, "PSNR %.2f dB", mean(measured.psnr)));
            }
            InversionEvalReport.Cell done = measured.cell(c);
            listener.onCell(new CellDone(done, line(done), (System.nanoTime() - t0) / 1e9));
            return keepLatents ? Tensors.keep(cellScope, torch.cat(kept, 0)) : null;
        }
    }

    /**
     * One batch by one method: the encoder's codes, refined by the projector where the method optimizes; the result's
     * seconds are the whole inversion's (encoder and projector, not the synthesis of the encoder's codes).
     */
    private Projector.Result invert(InversionSettings inv, Tensor target, Projector.Observer observer) {
        long t0 = System.nanoTime();
        Tensor codes = inv.usesEncoder() ? encoder.encode(target) : null; // [B, L, D]
        if (!inv.optimizes()) return Projector.Result.unrefined(models.g, codes, (System.nanoTime() - t0) / 1e9);
        Projector.Result r = projector.run(target, codes, inv.projector(), observer);
        return new Projector.Result(r.latent(), r.noise(), r.image(), r.losses(), (System.nanoTime() - t0) / 1e9);
    }

    /** Progress of batch {@code k}'s projector steps, as units of the whole cell. */
    private Projector.Observer step(Trial c, int k, long units, InversionSettings inv) {
        int steps = inv.projector().steps();
        return (l, image, latent) -> listener.onProgress(c.task(), (long) k * steps + l.step(), units,
                String.format(Locale.ROOT, "loss %.4f", l.total()));
    }

    /** A cell's figures so far, image by image. */
    private final class Measured {
        final List<Double> psnr = new ArrayList<>(), ssim = new ArrayList<>(), clipFeatures = new ArrayList<>(), psnrEditStart = new ArrayList<>();
        final List<int[]> readOwn = new ArrayList<>(), readEditStart = new ArrayList<>();
        double seconds;

        /** @param own reconstruction (a), clamped; @param editStart reconstruction (b) */
        void add(Tensor target, Tensor own, Tensor editStart) {
            for (ImageMetrics.Values v : ImageMetrics.measureEach(own, target, features)) {
                psnr.add(v.psnr());
                ssim.add(v.ssim());
                clipFeatures.add(v.clipFeatureDistance());
            }
            for (double p : ImageMetrics.psnr(editStart, target)) psnrEditStart.add(p);
            readOwn.addAll(List.of(judge.read(own)));
            readEditStart.addAll(List.of(judge.read(editStart)));
        }

        InversionEvalReport.Cell cell(Trial c) {
            int images = psnr.size();
            List<WorldSample> done = samples.subList(0, images);
            return new InversionEvalReport.Cell(c.method(), c.variant(), images, mean(psnr), mean(ssim), mean(clipFeatures), mean(psnrEditStart),
                    1000 * seconds / images, judge.agreement(done, readEditStart.toArray(int[][]::new)),
                    judge.agreement(done, readOwn.toArray(int[][]::new)));
        }
    }

    /**
     * The edit table: for every target, the eligible renders' latents edited by each method and scored against their
     * true classes, beside world eval's edits of generator samples; the contact sheet once its prompt is done.
     */
    private void edit(Tensor latents) throws IOException {
        int k = s.editRenders();
        report.editsHeader(String.format("Edits start from the %s latents of the renders, synthesized with the generator's noise "
                        + "buffers (b). Per prompt, up to %d renders that can take the edit by their true attributes, scored against "
                        + "those true classes; beside them the same method on %d generator samples that can take it (world eval's "
                        + "path, seeds from 0), an upper bound, and the difference in success.", editStart(s.methods()).label(), k, k));
        WorldEval eval = models.eval;
        WorldEval.Target sheetTarget = WorldEval.TARGETS.stream().filter(t -> !InversionEval.eligible(t, samples, 1).isEmpty())
                .filter(t -> s.editMethods().stream().allMatch(m -> models.canEdit(m, t))).findFirst().orElse(null);
        for (WorldEval.Target t : WorldEval.TARGETS) {
            List<Integer> chosen = InversionEval.eligible(t, samples, k);
            if (chosen.isEmpty()) continue;
            int[][] reference = chosen.stream().map(i -> InversionEval.trueClasses(samples.get(i))).toArray(int[][]::new);
            List<Integer> seeds = eval.eligibleSeeds(t, k, 0, 20 * k + 200);
            int rows = Math.min(SHEET_ROWS, chosen.size());
            List<BufferedImage> before = new ArrayList<>();
            Map<String, List<BufferedImage>> after = new LinkedHashMap<>();
            for (WorldEvalRun.Method m : s.editMethods()) {
                Stop.check();
                if (!models.canEdit(m, t)) continue; // no mapper trained for this prompt
                long t0 = System.nanoTime();
                InversionEvalReport.EditRow row;
                try (PointerScope scope = new PointerScope()) {
                    Tensor w = latents.index_select(0, Tensors.longs(chosen.stream().mapToLong(Integer::longValue).toArray()));
                    WorldEval.Edited inverted = models.edit(m, t, w, s.optimization(), s.global(), retried -> { });
                    WorldEval.Row onRenders = eval.score(t, m.label(), reference, inverted.before(), inverted.after());
                    WorldEval.Edited generated = models.edit(m, t, eval.wplus(seeds), s.optimization(), s.global(), retried -> { });
                    row = new InversionEvalReport.EditRow(onRenders, eval.score(t, m.label(), generated.before(), generated.after()));
                    if (t == sheetTarget) {
                        if (before.isEmpty()) before = Images.toImages(inverted.before().narrow(0, 0, rows));
                        after.put(m.label(), Images.toImages(inverted.after().narrow(0, 0, rows)));
                    }
                }
                String line = report.add(row);
                report.write(s.out());
                listener.onEdit(new EditDone(row, line, (System.nanoTime() - t0) / 1e9));
            }
            if (t == sheetTarget) {
                List<Integer> shown = chosen.subList(0, rows);
                writeSheet(t.prompt(), shown, inputs(shown, InversionEval.Variant.RENDER), before, after);
            }
        }
    }

    /** The contact sheet without edits: the first renders of the kept cell and their reconstructions (b). */
    private void writeSheet(InversionEval.Variant v, Tensor latents) throws IOException {
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(SHEET_ROWS, samples.size()); i++) shown.add(i);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            List<BufferedImage> recon = Images.toImages(models.eval.image(latents.narrow(0, 0, shown.size())));
            writeSheet(null, shown, inputs(shown, v), recon, Map.of());
        }
    }

    private List<BufferedImage> inputs(List<Integer> shown, InversionEval.Variant v) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i : shown) out.add(InversionEval.picture(samples.get(i), models.g.config().size(), v));
        return out;
    }

    /**
     * Writes {@value InversionEvalReport#CONTACT_SHEET}: a row per shown render (input, reconstruction (b), then each
     * method's edit towards {@code prompt}), under a strip naming the columns.
     */
    private void writeSheet(String prompt, List<Integer> shown, List<BufferedImage> inputs, List<BufferedImage> recon,
                            Map<String, List<BufferedImage>> edits) throws IOException {
        List<String> columns = new ArrayList<>(List.of("input", "recon (b)"));
        columns.addAll(edits.keySet());
        List<BufferedImage> tiles = new ArrayList<>();
        for (int r = 0; r < shown.size(); r++) {
            tiles.add(inputs.get(r));
            tiles.add(recon.get(r));
            for (List<BufferedImage> e : edits.values()) tiles.add(e.get(r));
        }
        BufferedImage grid = Images.grid(tiles, columns.size());
        int tile = grid.getWidth() / columns.size();
        BufferedImage sheet = new BufferedImage(grid.getWidth(), grid.getHeight() + LABEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), LABEL_HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int i = 0; i < columns.size(); i++) g.drawString(columns.get(i), i * tile + 2, LABEL_HEIGHT - 3);
        g.drawImage(grid, 0, LABEL_HEIGHT, null);
        g.dispose();
        List<Long> seeds = shown.stream().map(i -> samples.get(i).seed()).toList();
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("tool", "styleclip world invert-eval");
        provenance.put("prompt", prompt);
        provenance.put("seeds", seeds);
        provenance.put("columns", columns);
        Images.write(s.out().resolve(InversionEvalReport.CONTACT_SHEET), sheet,
                Map.of("styleclip", new GsonBuilder().serializeNulls().create().toJson(provenance)));
        report.sheet(prompt, seeds, columns);
        report.write(s.out());
    }

    /** The paragraphs above the tables. */
    private String header(String judgedLine) {
        StringBuilder b = new StringBuilder("# Inversion of pictures the generator did not draw\n\n");
        b.append(String.format(Locale.ROOT, "%d held-out renders (seeds %d-%d, which no training used) and their variants, inverted %d at a "
                        + "time with %s on %s. Projector steps: %s.%n%n", samples.size(), InversionEval.FIRST_SEED,
                InversionEval.FIRST_SEED + samples.size() - 1, s.batch(), encoderFile == null ? "no encoder" : "encoder " + encoderLabel(),
                generatorLabel(s.models()), stepsLine()));
        b.append("Each picture has two reconstructions: (a) the inversion's own, its latent with the noise maps it optimized (the "
                + "encoder alone keeps the generator's), which PSNR, SSIM and the CLIP-feature distance measure; (b) the latent "
                + "synthesized with the generator's own noise buffers (constant noise), which is where every edit starts. The judge "
                + "classifier's agreement with the renders' true attributes is measured on (b); the last column gives it on (a). ");
        b.append(judgedLine).append('.');
        return b.toString();
    }

    /** The report's settings and models, with the checkpoints' SHA-256. */
    private Map<String, Object> setup() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", "styleclip world invert-eval");
        m.put("renders", samples.size());
        m.put("first_seed", InversionEval.FIRST_SEED);
        m.put("batch", s.batch());
        m.put("methods", s.methods().stream().map(InversionMethod::label).toList());
        m.put("variants", s.variants().stream().map(InversionEval.Variant::key).toList());
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (InversionMethod im : s.methods()) {
            InversionSettings inv = inversion(im);
            if (inv.optimizes()) steps.put(im.label(), inv.projector().steps());
        }
        m.put("steps", steps);
        m.put("edit_renders", s.editRenders());
        m.put("edit_methods", s.editMethods().stream().map(WorldEvalRun.Method::label).toList());
        m.put("edit_start", editStart(s.methods()).label());
        m.put("readable", s.readable());
        m.put("recognition", s.recognition());
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("generator", generatorLabel(s.models()));
        files.put("generator_sha256", Hashes.sha256(s.models().generatorFile()));
        files.put("clip_sha256", Hashes.sha256(s.models().clipFile()));
        files.put("classifier_sha256", Hashes.sha256(s.models().classifierFile()));
        if (encoderFile != null) {
            files.put("encoder", encoderLabel());
            files.put("encoder_sha256", Hashes.sha256(encoderFile));
        }
        m.put("models", files);
        return m;
    }

    private String stepsLine() {
        List<String> parts = new ArrayList<>();
        for (InversionMethod m : s.methods()) {
            InversionSettings inv = inversion(m);
            if (inv.optimizes()) {
                parts.add(String.format(Locale.ROOT, "%s %d in %s at lr %s", m.label(), inv.projector().steps(), inv.projector().space().label(),
                        inv.projector().lr()));
            }
        }
        return parts.isEmpty() ? "none (the encoder alone)" : String.join(", ", parts);
    }

    private String encoderLabel() {
        return s.encoder() != null ? s.encoder().toString() : "bundled:" + BundledModels.ENCODER;
    }

    /** "encoder+optimize on renders: 200 renders, PSNR ...". */
    private static String line(InversionEvalReport.Cell c) {
        return String.format(Locale.ROOT, "%s on %s: %d renders, PSNR %.2f dB, SSIM %.4f, CLIP-feature distance %.4f, %.0f ms per image, "
                        + "agreement %.1f%% (b), %.1f%% (a)", c.method().label(), c.variant().key(), c.images(), c.psnr(), c.ssim(),
                c.clipFeatures(), c.msPerImage(), 100 * c.agreement().agreement(), 100 * c.agreementOwn().agreement());
    }

    private static double mean(List<Double> v) {
        double sum = 0;
        for (double x : v) sum += x;
        return v.isEmpty() ? Double.NaN : sum / v.size();
    }

    private static Tensor clamp(Tensor x) {
        return x.clamp(new ScalarOptional(new Scalar(-1)), new ScalarOptional(new Scalar(1)));
    }

    /** The encoder file: --encoder, else the bundled encoder for the bundled generator; null when no method runs one. */
    private static Path encoderFile(Settings s) throws IOException {
        if (!s.usesEncoder()) {
            if (s.encoder() != null) throw new SettingException("encoder", "is for the methods encoder and encoder+optimize, not optimize alone");
            return null;
        }
        if (s.encoder() != null) return s.encoder();
        boolean bundledGenerator = BundledModels.available()
                && Hashes.sha256(s.models().generatorFile()).equals(BundledModels.generatorSha256());
        if (bundledGenerator && BundledModels.has(BundledModels.ENCODER)) return BundledModels.path(BundledModels.ENCODER);
        throw new SettingException("encoder", bundledGenerator
                ? "must be given: the bundled set has no encoder yet (train one with 'styleclip encoder train --out E.pt')"
                : "must be given for this generator (an encoder file from 'styleclip encoder train --generator G --out E.pt')");
    }

    private static String generatorLabel(WorldEvalRun.Models m) {
        return m.generator() != null ? m.generator().toString() : "the bundled generator";
    }
}
