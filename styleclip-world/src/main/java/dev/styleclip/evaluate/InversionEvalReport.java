package dev.styleclip.evaluate;

import com.google.gson.GsonBuilder;
import dev.styleclip.invert.InversionMethod;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.world.AttributeCategory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The files of {@code styleclip world invert-eval}, built as the run goes: {@value #REPORT_MD} (what was measured and
 * how, the inversion table per method and picture variant, the judge's agreement per category, the edit table) and
 * {@value #REPORT_JSON} (the same numbers; a PSNR of identical images, infinite, is written as null). {@link
 * InversionEvalRun} rewrites both after every batch and every edit row, so a stopped run keeps what it measured.
 */
public final class InversionEvalReport {
    public static final String REPORT_MD = "report.md";
    public static final String REPORT_JSON = "report.json";
    public static final String CONTACT_SHEET = "contact_sheet.png";

    /**
     * One inversion method on one variant of the renders; reconstruction (a) is the inversion's own (the latent with the
     * noise maps it optimized), (b) the latent synthesized with the generator's noise buffers, where every edit starts.
     *
     * @param images        the renders measured so far (fewer than the run's while the cell is running)
     * @param psnr          mean PSNR in dB of (a)
     * @param ssim          mean SSIM of (a)
     * @param clipFeatures  mean CLIP-feature distance of (a)
     * @param psnrEditStart mean PSNR in dB of (b)
     * @param msPerImage    wall-clock milliseconds of the inversion per picture (encoder and projector, in batches)
     * @param agreement     the judge's agreement on (b)
     * @param agreementOwn  the judge's agreement on (a)
     */
    public record Cell(InversionMethod method, InversionEval.Variant variant, int images, double psnr, double ssim, double clipFeatures,
                       double psnrEditStart, double msPerImage, InversionEval.Agreement agreement, InversionEval.Agreement agreementOwn) {
    }

    /**
     * One prompt and editing method: on inverted renders, and on generator samples (world eval's path, an upper bound).
     *
     * @param inverted  edits of the inverted renders, scored against the renders' true classes
     * @param generator edits of generator samples, scored against the judge's reading of them
     */
    public record EditRow(WorldEval.Row inverted, WorldEval.Row generator) {
        /** Success on inverted renders minus success on generator samples, in percentage points. */
        public double successDifference() {
            return 100 * (inverted.success() - generator.success());
        }
    }

    private final String header;
    private final Map<String, Object> setup;
    private final List<String> judged;
    private final List<Cell> cells = new ArrayList<>();
    private final List<EditRow> edits = new ArrayList<>();
    private String editsHeader = "";
    private String sheetLine = "";
    private Map<String, Object> sheet;

    /**
     * @param header the paragraphs above the tables (what was measured, on what)
     * @param setup  the run's settings and models, as {@value #REPORT_JSON} holds them at its top
     * @param judged the categories the agreement counts (those the judge reads on generator samples)
     */
    public InversionEvalReport(String header, Map<String, Object> setup, Collection<AttributeCategory> judged) {
        this.header = header;
        this.setup = new LinkedHashMap<>(setup);
        this.judged = judged.stream().map(AttributeCategory::name).toList();
        this.setup.put("judged_categories", this.judged);
    }

    /** Adds a cell, or replaces the cell of the same method and variant (a running cell grows batch by batch). */
    public void put(Cell c) {
        for (int i = 0; i < cells.size(); i++) {
            if (cells.get(i).method() == c.method() && cells.get(i).variant() == c.variant()) {
                cells.set(i, c);
                return;
            }
        }
        cells.add(c);
    }

    /** The paragraph above the edit table: where the edits start and what they are compared with. */
    public void editsHeader(String paragraph) {
        this.editsHeader = paragraph;
    }

    /** Adds a row of the edit table and returns its markdown line. */
    public String add(EditRow r) {
        edits.add(r);
        return editLine(r);
    }

    /** The contact sheet's rows (render seeds), columns and prompt. */
    public void sheet(String prompt, List<Long> seeds, List<String> columns) {
        sheetLine = String.format("%s: a row per render (seeds %s); columns %s%s.%n", CONTACT_SHEET, seeds, String.join(", ", columns),
                prompt == null ? "" : ", the edits towards \"" + prompt + "\"");
        sheet = new LinkedHashMap<>();
        sheet.put("file", CONTACT_SHEET);
        sheet.put("prompt", prompt);
        sheet.put("seeds", seeds);
        sheet.put("columns", columns);
    }

    public List<Cell> cells() {
        return List.copyOf(cells);
    }

    public List<EditRow> edits() {
        return List.copyOf(edits);
    }

    /** {@value #REPORT_MD}'s text. */
    public String markdown() {
        StringBuilder b = new StringBuilder(header).append("\n\n");
        b.append("| method | pictures | images | PSNR (a) dB | SSIM (a) | CLIP-feature distance (a) | PSNR (b) dB | ms per image "
                + "| agreement (b) | agreement (a) |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.4f | %.4f | %.2f | %.0f | %.1f%% | %.1f%% |%n", c.method().label(),
                    c.variant().label(), c.images(), c.psnr(), c.ssim(), c.clipFeatures(), c.psnrEditStart(), c.msPerImage(),
                    100 * c.agreement().agreement(), 100 * c.agreementOwn().agreement()));
        }
        if (!cells.isEmpty()) b.append(categoryTable());
        if (!editsHeader.isEmpty()) {
            b.append("\n## Edits of inverted renders\n\n").append(editsHeader).append("\n\n");
            b.append("| prompt | method | renders | success | preservation | generator samples | success | preservation | difference in success (points) |\n");
            b.append("|---|---|---|---|---|---|---|---|---|\n");
            for (EditRow r : edits) b.append(editLine(r)).append('\n');
        }
        if (!sheetLine.isEmpty()) b.append('\n').append(sheetLine);
        return b.toString();
    }

    /** The judge's agreement per category on (b), a row per cell; a category counted in the agreement is marked *. */
    private String categoryTable() {
        Set<String> names = new LinkedHashSet<>();
        for (Cell c : cells) names.addAll(c.agreement().byCategory().keySet());
        StringBuilder b = new StringBuilder("\n## Agreement per category, on (b)\n\nThe share of renders whose true class the judge "
                + "reads on the reconstruction, over the renders the category applies to; * marks the categories the agreement counts.\n\n| method | pictures |");
        for (String n : names) b.append(' ').append(n).append(judged.contains(n) ? "*" : "").append(" |");
        b.append("\n|---|---|").append("---|".repeat(names.size())).append('\n');
        for (Cell c : cells) {
            b.append("| ").append(c.method().label()).append(" | ").append(c.variant().label()).append(" |");
            for (String n : names) {
                Double a = c.agreement().byCategory().get(n);
                b.append(a == null ? " - |" : String.format(Locale.ROOT, " %.0f%% |", 100 * a));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String editLine(EditRow r) {
        WorldEval.Row i = r.inverted(), g = r.generator();
        return String.format(Locale.ROOT, "| %s | %s | %d | %.0f%% | %.1f%% | %d | %.0f%% | %.1f%% | %+.0f |", i.prompt(), i.method(), i.seeds(),
                100 * i.success(), 100 * i.preservation(), g.seeds(), 100 * g.success(), 100 * g.preservation(), r.successDifference());
    }

    /** {@value #REPORT_JSON}'s text. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>(setup);
        List<Object> inversion = new ArrayList<>();
        for (Cell c : cells) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", c.method().label());
            m.put("variant", c.variant().key());
            m.put("images", c.images());
            m.put("psnr_db", number(c.psnr()));
            m.put("ssim", number(c.ssim()));
            m.put("clip_feature_distance", number(c.clipFeatures()));
            m.put("psnr_db_edit_start", number(c.psnrEditStart()));
            m.put("ms_per_image", number(c.msPerImage()));
            m.put("agreement", number(c.agreement().agreement()));
            m.put("agreement_own_noise", number(c.agreementOwn().agreement()));
            m.put("agreement_by_category", c.agreement().byCategory());
            m.put("agreement_own_noise_by_category", c.agreementOwn().byCategory());
            inversion.add(m);
        }
        root.put("inversion", inversion);
        List<Object> rows = new ArrayList<>();
        for (EditRow r : edits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompt", r.inverted().prompt());
            m.put("method", r.inverted().method());
            m.put("renders", r.inverted().seeds());
            m.put("success", number(r.inverted().success()));
            m.put("preservation", number(r.inverted().preservation()));
            m.put("generator_samples", r.generator().seeds());
            m.put("generator_success", number(r.generator().success()));
            m.put("generator_preservation", number(r.generator().preservation()));
            m.put("success_difference_points", number(r.successDifference()));
            rows.add(m);
        }
        root.put("edits", rows);
        root.put("contact_sheet", sheet);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
    }

    /** Writes {@value #REPORT_MD} and {@value #REPORT_JSON} into {@code out}, each atomically. */
    public void write(Path out) throws IOException {
        AtomicFiles.write(out.resolve(REPORT_JSON), (json() + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve(REPORT_MD), markdown().getBytes(StandardCharsets.UTF_8));
    }

    /** JSON has no infinity or NaN: those are null. */
    private static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
