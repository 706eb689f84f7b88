package dev.styleclip.evaluate;

import dev.styleclip.edit.optimize.LooseRetry;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.world.AttributeCategory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The files of {@code styleclip world eval}, built row by row: {@value #TABLE_MD} (the lines measured before the
 * table, the table of success, preservation and CLIP similarity per prompt and method, the per-method summary, the
 * seeds latent optimization ran a second time, and the categories whose reading changed most), {@value #TABLE_CSV} (a
 * line per prompt and method) and {@value #SEEDS_CSV} (a line per edited seed). Numbers are formatted as the command
 * has always written them; the static {@code ...Line} methods word the lines above the table. {@link WorldEvalRun}
 * writes the files after every row, so a stopped evaluation keeps the rows it finished.
 */
public final class WorldEvalReport {
    public static final String TABLE_MD = "table.md";
    public static final String TABLE_CSV = "table.csv";
    public static final String SEEDS_CSV = "seeds.csv";
    /** The header of {@value #TABLE_CSV}. */
    public static final String TABLE_CSV_HEADER = "prompt,method,seeds,success,preservation,preservation_all,clip_before,clip_after";
    /** The header of {@value #SEEDS_CSV}. */
    public static final String SEEDS_CSV_HEADER = "prompt,method,seed,success,preservation,clip_before,clip_after";
    private static final String CHANGED_MOST_HEADING = "\nCategories whose reading changed most (share of seeds):\n\n";

    private final LooseRetry retry;
    private final StringBuilder md = new StringBuilder();
    private final StringBuilder csv = new StringBuilder(TABLE_CSV_HEADER + "\n");
    private final StringBuilder seedsCsv = new StringBuilder(SEEDS_CSV_HEADER + "\n");
    private final StringBuilder retried = new StringBuilder();
    private final StringBuilder changedMost = new StringBuilder();
    private final List<WorldEval.Row> rows = new ArrayList<>();

    /**
     * @param preamble the lines above the table, in order (each its own paragraph)
     * @param retry    latent optimization's loose retry, named in the line on the seeds it ran again
     */
    public WorldEvalReport(List<String> preamble, LooseRetry retry) {
        this.retry = retry;
        md.append(String.join("\n\n", preamble)).append("\n\n");
        md.append(String.format("| prompt | method | seeds | edit success | preservation | preservation, all heads | CLIP sim before | after |%n"));
        md.append("|---|---|---|---|---|---|---|---|\n");
    }

    /**
     * Adds a row of the table and returns its markdown line.
     *
     * @param seeds      the seeds edited, in the order of {@link WorldEval.Row#perSeed()}
     * @param targetRead whether the classifier reads the target's category on generator samples (else the success is
     *                   marked "(target not read)")
     * @param retried    latent optimization with a retry: how many seeds it optimized again; empty otherwise
     */
    public String add(WorldEval.Row row, List<Integer> seeds, boolean targetRead, OptionalInt retried) {
        String line = String.format("| %s | %s | %d | %.0f%%%s | %.1f%% | %.1f%% | %.3f | %.3f |", row.prompt(), row.method(),
                row.seeds(), 100 * row.success(), targetRead ? "" : " (target not read)", 100 * row.preservation(), 100 * row.preservationAll(),
                row.clipBefore(), row.clipAfter());
        md.append(line).append('\n');
        csv.append(String.format("\"%s\",%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f%n", row.prompt(), row.method(), row.seeds(),
                row.success(), row.preservation(), row.preservationAll(), row.clipBefore(), row.clipAfter()));
        if (retried.isPresent()) {
            this.retried.append(String.format("%s%s %d of %d", this.retried.isEmpty() ? "" : ", ", row.prompt(), retried.getAsInt(), row.seeds()));
        }
        changedMost.append(String.format("- %s, %s: %s%n", row.prompt(), row.method(), row.mostChanged(4)));
        rows.add(row);
        for (int i = 0; i < row.perSeed().size(); i++) {
            WorldEval.SeedScore sc = row.perSeed().get(i);
            seedsCsv.append(String.format("\"%s\",%s,%d,%d,%.4f,%.4f,%.4f%n", row.prompt(), row.method(), seeds.get(i),
                    sc.success() ? 1 : 0, sc.preservation(), sc.clipBefore(), sc.clipAfter()));
        }
        return line;
    }

    /** The rows added so far. */
    public List<WorldEval.Row> rows() {
        return List.copyOf(rows);
    }

    /** {@value #TABLE_MD}: the lines above the table, the table, the summary per method, the retried seeds, the most changed categories. */
    public String markdown() {
        return md + summary() + retriedLine() + CHANGED_MOST_HEADING + changedMost;
    }

    public String tableCsv() {
        return csv.toString();
    }

    public String seedsCsv() {
        return seedsCsv.toString();
    }

    /** Writes the three files into {@code out}, each atomically. */
    public void write(Path out) throws IOException {
        AtomicFiles.write(out.resolve(SEEDS_CSV), seedsCsv().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve(TABLE_MD), markdown().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve(TABLE_CSV), tableCsv().getBytes(StandardCharsets.UTF_8));
    }

    /** Per method, success and preservation over all its edits (the figures are over all of them). */
    private String summary() {
        StringBuilder b = new StringBuilder("\nOver all edits of each method (each seed counts once):\n\n");
        for (WorldEval.Summary s : WorldEval.Summary.of(rows)) b.append("- ").append(s.line()).append('\n');
        return b.toString();
    }

    /** Which seeds latent optimization's retry optimized again, per prompt ("" without a retry). */
    private String retriedLine() {
        return retried.isEmpty() ? "" : String.format("%nSeeds latent optimization ran a second time, with L1 weight %s (CLIP's cosine to the "
                + "prompt rose by less than %s in the first): %s%n", retry.l1Lambda(), retry.minGain(), retried);
    }

    /** How recognisable the generator's samples are. */
    public static String recognitionLine(WorldEval.Recognition r) {
        return String.format("Generator samples (seeds 0-%d): species named with confidence >= 0.9: %.1f%%; mean "
                        + "confidence over the applicable heads: %.3f; classifier agrees with the latent's intended attributes: %.1f%%",
                r.samples() - 1, 100 * r.confidentSpecies(), r.meanConfidence(), 100 * r.agreementWithPrior());
    }

    /** The classifier's agreement with the latents' intended attributes, per category. */
    public static String agreementLine(WorldEval.Recognition r) {
        StringBuilder b = new StringBuilder("Agreement with the latent's intended attributes, per category:");
        r.agreementByCategory().forEach((cat, a) -> b.append(String.format(" %s %.0f%%", cat, 100 * a)));
        return b.toString();
    }

    /** {@link WorldEval#clipZeroShot} on 300 renders from seed 5000. */
    public static String zeroShotLine(Map<String, Double> accuracy) {
        StringBuilder b = new StringBuilder("CLIP zero-shot accuracy on 300 renders (seeds 5000-5299), per category:");
        accuracy.forEach((cat, a) -> b.append(String.format(" %s %.0f%%", cat, 100 * a)));
        return b.toString();
    }

    /** {@link WorldEval#clipRankingAuc} on 400 renders from seed 6000. */
    public static String rankingLine(Map<String, Double> auc) {
        StringBuilder b = new StringBuilder("CLIP ranking AUC of each prompt on 400 renders (seeds 6000-6399; 0.5 is chance):");
        auc.forEach((p, a) -> b.append(String.format(" %s %.2f", p, a)));
        return b.toString();
    }

    /** {@link WorldEval#clipLinearProbe} on 1200 renders from seed 7000, scored on 400 more. */
    public static String probeLine(Map<String, WorldEval.Probe> probes) {
        StringBuilder b = new StringBuilder("Linear probe on CLIP's image features (1200 renders from seed 7000, scored on 400 more), "
                + "accuracy against always naming the commonest class:");
        probes.forEach((cat, p) -> b.append(String.format(" %s %.0f%% (%.0f%%)", cat, 100 * p.accuracy(), 100 * p.majority())));
        return b.toString();
    }

    /** {@link WorldEval#clipTwins} on 200 renders from seed 8000. */
    public static String twinsLine(Map<String, WorldEval.Twins> twins) {
        StringBuilder b = new StringBuilder("CLIP on twins (200 renders that could take each edit, beside the same render with the target drawn in; "
                + "image cosine of the twins, 1 = indistinguishable; share of twins where the one with the target is closer to the prompt):");
        twins.forEach((p, t) -> b.append(String.format(" %s %.4f %.0f%%", p, t.cosine(), 100 * t.higher())));
        return b.toString();
    }

    /** The categories preservation counts: those read with an agreement of at least {@code readable}. */
    public static String judgedLine(double readable, Collection<AttributeCategory> judged) {
        return String.format("Preservation counts the categories read with agreement >= %.0f%%: %s", 100 * readable,
                judged.stream().map(AttributeCategory::name).toList());
    }
}
