package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.train.classifier.AttributeClassifier;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.edit.optimize.OptimizationPreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** edit, world eval and the world training commands, on the bundled models. */
class BundledCommandsTest {
    @TempDir
    Path dir;

    @Test
    void editWithNoModelFilesUsesTheBundledOnesAndWritesTheStrip() throws Exception {
        Path out = dir.resolve("edit");
        CliRun r = CliRun.of("edit", "--prompt", "sunglasses", "--seed", "3", "--steps", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("before_after.png"), r.out());
        var strip = ImageIO.read(out.resolve("before_after.png").toFile());
        assertEquals(2 * BundledModels.IMAGE_SIZE, strip.getWidth());
        assertEquals(BundledModels.IMAGE_SIZE, strip.getHeight());
        JsonObject prov = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("bundled:generator.pt", prov.get("generator").getAsString());
        assertEquals("sunglasses", prov.get("prompt").getAsString());
        // the bundled set's optimization defaults: W, its l2 and l1 weights and the l1 ramp, smoothing 4 x 0.12
        OptimizationPreset b = OptimizationPreset.BUNDLED;
        assertEquals("w", prov.get("space").getAsString());
        assertEquals(b.l2Lambda(), prov.get("l2_lambda").getAsDouble());
        assertEquals(b.l1Lambda(), prov.get("l1_lambda").getAsDouble());
        assertEquals(b.l1Ramp(), prov.get("l1_ramp").getAsDouble());
        assertEquals(b.l1PullShare(), prov.get("l1_pull_share").getAsDouble());
        assertEquals(b.retryBelow(), prov.get("retry_below").getAsDouble());
        assertEquals(b.retryL1(), prov.get("retry_l1").getAsDouble());
        assertEquals(b.smooth(), prov.get("smooth").getAsInt());
        assertEquals(b.smoothSigma(), prov.get("smooth_sigma").getAsDouble());
        assertTrue(prov.get("retried").isJsonPrimitive() && prov.get("retried").getAsJsonPrimitive().isBoolean(), prov.toString());
        // the weight the run used: the default, or less where the prompt's pull capped it
        double l1Used = prov.get("l1_lambda_used").getAsDouble();
        assertTrue(l1Used > 0 && l1Used <= b.l1Lambda(), prov.toString());
        assertTrue(Files.exists(out.resolve("latent.npy")));

        // the bundled generator given by path is recognised by its SHA-256 and gets the same defaults; --space overrides
        Path plus = dir.resolve("edit-wplus");
        CliRun wp = CliRun.of("edit", "--prompt", "sunglasses", "--seed", "3", "--steps", "2", "--space", "w+",
                "--generator", BundledModels.path(BundledModels.GENERATOR).toString(), "--out", plus.toString());
        assertEquals(0, wp.code(), wp.err());
        JsonObject byPath = JsonParser.parseString(Files.readString(plus.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("w+", byPath.get("space").getAsString());
        assertEquals(b.l2Lambda(), byPath.get("l2_lambda").getAsDouble());
        assertEquals(b.smoothSigma(), byPath.get("smooth_sigma").getAsDouble());
        assertEquals(b.retryBelow(), byPath.get("retry_below").getAsDouble());
        assertEquals(1.0, byPath.get("truncation").getAsDouble(), "the bundled generator's truncation");
        assertEquals(BundledModels.path(BundledModels.GENERATOR).toString(), byPath.get("generator").getAsString());
    }

    @Test
    void editByGlobalDirectionsUsesTheBundledDirections() {
        Path out = dir.resolve("global");
        CliRun r = CliRun.of("edit", "--method", "global", "--prompt", "purple hair", "--seed", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("before_after.png")));
    }

    @Test
    void editByAMapperFileAndWorldEvalWithMappers() throws Exception {
        // an untrained 128-wide mapper (the bundled generator's style_dim), saved without a decoder
        Path mappers = Files.createDirectories(dir.resolve("mappers"));
        Path file = mappers.resolve("sunglasses.pt");
        try (var m = dev.styleclip.edit.mapper.LevelsMapper.initialize(dev.styleclip.edit.mapper.MapperLevel.all(), 4, 128)) {
            dev.styleclip.edit.mapper.MapperCheckpoint.writeWithoutDecoder(file, m, java.util.Map.of("description", "sunglasses"));
        }
        Path out = dir.resolve("mapper-edit");
        CliRun r = CliRun.of("edit", "--method", "mapper", "--mapper", file.toString(), "--prompt", "sunglasses", "--seed", "2",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(out.resolve("provenance.json")).contains("\"method\": \"mapper\""));
        assertEquals(10 * 128, dev.styleclip.io.Npy.read(out.resolve("latent.npy")).toFloatArray().length, "W+ [1, 10, 128]");

        CliRun none = CliRun.of("edit", "--method", "mapper", "--prompt", "a hat made of cheese", "--out", out.toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("no bundled mapper for \"a hat made of cheese\""), none.err());

        Path ev = dir.resolve("eval-mapper");
        CliRun e = CliRun.of("world", "eval", "--prompts", "sunglasses,bald", "--methods", "mapper", "--mappers", mappers.toString(),
                "--seeds", "2", "--recognition", "2", "--no-clip-checks", "--out", ev.toString());
        assertEquals(0, e.code(), e.err());
        String table = Files.readString(ev.resolve("table.md"));
        assertTrue(table.contains("| sunglasses | mapper | 2 |"), table);
        assertTrue(!table.contains("| bald | mapper"), "no mapper, no row: " + table);
        assertTrue(table.contains("per category") && table.contains("hair_style"), table);
        assertTrue(table.contains("preservation, all heads") && table.contains("Preservation counts the categories"), table);
    }

    @Test
    void editRejectsImpossibleOptions() {
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--seed", "1", "--latent", "a.npy").code());
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--method", "paint").code());
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--steps", "0").code());
        CliRun l1 = CliRun.of("edit", "--prompt", "x", "--l1-lambda", "-0.5");
        assertEquals(2, l1.code());
        assertTrue(l1.err().contains("--l1-lambda"), l1.err());
        CliRun ramp = CliRun.of("edit", "--prompt", "x", "--l1-ramp", "1.5");
        assertEquals(2, ramp.code());
        assertTrue(ramp.err().contains("--l1-ramp must lie in [0, 1]"), ramp.err());
        CliRun share = CliRun.of("edit", "--prompt", "x", "--l1-pull-share", "-1");
        assertEquals(2, share.code());
        assertTrue(share.err().contains("--l1-pull-share must be a finite number of 0 or more, not -1"), share.err());
        CliRun retry = CliRun.of("edit", "--prompt", "x", "--retry-below", "-0.1");
        assertEquals(2, retry.code());
        assertTrue(retry.err().contains("--retry-below must be a finite number of 0 or more"), retry.err());
        assertEquals(2, CliRun.of("edit", "--prompt", "x", "--retry-l1", "Infinity").code());
        CliRun space = CliRun.of("edit", "--prompt", "x", "--space", "q");
        assertEquals(2, space.code());
        assertTrue(space.err().contains("--space must be w, w+ or s, not q"), space.err());
        assertEquals(2, CliRun.of("edit").code());
    }

    @Test
    void worldEvalWritesItsTable() throws Exception {
        Path out = dir.resolve("eval");
        CliRun r = CliRun.of("world", "eval", "--prompts", "sunglasses", "--seeds", "2", "--steps", "3", "--recognition", "4",
                "--space", "w", "--smooth", "2", "--no-clip-checks", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("| sunglasses | optimize | 2 |") && table.contains("| sunglasses | global | 2 |"), table);
        assertTrue(table.contains("- optimize: 1 prompt, 2 edits: success ") && table.contains("- global: 1 prompt, 2 edits: "), table);
        assertTrue(!table.contains("CLIP zero-shot accuracy") && table.contains("Preservation counts"), "--no-clip-checks: " + table);
        assertTrue(r.out().contains(table) && r.out().strip().endsWith("wrote " + out.resolve("table.md")), "stdout shows table.md: " + r.out());
        assertTrue(Files.exists(out.resolve("sunglasses_optimize.png")) && Files.exists(out.resolve("sunglasses_global.png")));

        // table.csv: a line per method; seeds.csv: a line per seed and method, whose means are the table's figures
        List<List<String>> rows = csv(out.resolve("table.csv"), "prompt,method,seeds,success,preservation,preservation_all,clip_before,clip_after");
        List<List<String>> seeds = csv(out.resolve("seeds.csv"), "prompt,method,seed,success,preservation,clip_before,clip_after");
        assertEquals(List.of("optimize", "global"), rows.stream().map(x -> x.get(1)).toList());
        assertEquals(4, seeds.size(), "a line per seed and method: " + seeds);
        for (List<String> row : rows) {
            assertEquals("sunglasses", row.get(0));
            assertEquals(2, Integer.parseInt(row.get(2)));
            List<List<String>> own = seeds.stream().filter(x -> x.get(1).equals(row.get(1))).toList();
            assertEquals(2, own.size());
            double success = own.stream().mapToInt(x -> Integer.parseInt(x.get(3))).average().orElseThrow();
            double preservation = own.stream().mapToDouble(x -> Double.parseDouble(x.get(4))).average().orElseThrow();
            double clipBefore = own.stream().mapToDouble(x -> Double.parseDouble(x.get(5))).average().orElseThrow();
            assertEquals(success, Double.parseDouble(row.get(3)), 1e-4, row.toString());
            assertEquals(preservation, Double.parseDouble(row.get(4)), 2e-4, row.toString());
            assertEquals(clipBefore, Double.parseDouble(row.get(6)), 2e-4, row.toString());
            for (int c = 3; c <= 5; c++) assertTrue(Double.parseDouble(row.get(c)) >= 0 && Double.parseDouble(row.get(c)) <= 1, row.toString());
        }
        assertEquals(seeds.subList(0, 2).stream().map(x -> x.get(2)).toList(), seeds.subList(2, 4).stream().map(x -> x.get(2)).toList(),
                "both methods edit the same seeds");
        var retried = java.util.regex.Pattern.compile("Seeds latent optimization ran a second time, with L1 weight [0-9.E-]+ \\(.*\\): sunglasses (\\d+) of 2")
                .matcher(table);
        assertTrue(retried.find(), table);
        assertTrue(Integer.parseInt(retried.group(1)) <= 2, table);

        assertEquals(2, CliRun.of("world", "eval", "--retry-below", "-1").code());
        assertEquals(2, CliRun.of("world", "eval", "--retry-l1", "-1").code());
        assertEquals(2, CliRun.of("world", "eval", "--prompts", "paint it black").code());
        assertEquals(2, CliRun.of("world", "eval", "--methods", "paint").code());
        assertEquals(2, CliRun.of("world", "eval", "--space", "q").code());
        assertEquals(2, CliRun.of("world", "eval", "--space", "s", "--smooth", "4").code(), "smoothing in S, asked for");
        assertEquals(2, CliRun.of("world", "eval", "--smooth", "-1").code());
        assertEquals(2, CliRun.of("world", "eval", "--l1-lambda", "-1").code());
        assertEquals(2, CliRun.of("world", "eval", "--l1-ramp", "-0.1").code());
        assertEquals(2, CliRun.of("world", "eval", "--l1-pull-share", "-0.1").code());
        assertEquals(2, CliRun.of("world", "eval", "--first-seed", "-1").code());
        assertEquals(2, CliRun.of("world", "eval", "--space", "s", "--l1-pull-share", "0.5").code(), "the cap in S, asked for");
        // the help lists the defaults of the optimization options: the bundled set's
        CliRun help = CliRun.of("world", "eval", "--help");
        assertEquals(0, help.code());
        assertEquals(List.of(String.valueOf(OptimizationPreset.BUNDLED.steps())), help.out().lines().filter(l -> l.startsWith("  --steps "))
                .map(l -> l.substring("  --steps ".length()).strip()).toList(), help.out());
        CliRun notFolder = CliRun.of("world", "eval", "--methods", "mapper", "--mappers", out.resolve("table.md").toString());
        assertEquals(2, notFolder.code());
        assertTrue(notFolder.err().startsWith("error: --mappers ") && notFolder.err().contains("is not a folder"), notFolder.err());
    }

    /** The rows of a CSV file with header {@code header}, split at commas, quotes taken off (world eval's prompts have no commas). */
    private static List<List<String>> csv(Path file, String header) throws java.io.IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals(header, lines.get(0), file.toString());
        return lines.subList(1, lines.size()).stream()
                .map(l -> java.util.Arrays.stream(l.split(",", -1)).map(v -> v.replaceAll("^\"|\"$", "")).toList()).toList();
    }

    @Test
    void worldTrainingCommandsWriteModelsThatLoad() throws Exception {
        Path cls = dir.resolve("cls");
        assertEquals(0, CliRun.of("world", "train", "--model", "classifier", "--steps", "2", "--batch", "4", "--out", cls.toString()).code());
        try (AttributeClassifier c = AttributeClassifier.load(cls.resolve("classifier.pt"))) {
            assertEquals(13, c.categories().size());
        }
        Path gen = dir.resolve("gen");
        CliRun r = CliRun.of("world", "train-generator", "--steps", "2", "--batch", "2", "--channels", "4:32,8:32,16:32",
                "--style-dim", "32", "--n-mlp", "2", "--every", "1", "--detail-weight", "4", "--detail-categories", "makeup,eye_color",
                "--out", gen.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("L1 weighted by 1 + 4.0 * the detail mask of [makeup, eye_color]"), r.out());
        try (Generator g = Generator.load(gen.resolve("generator.pt"))) {
            assertEquals(16, g.config().size());
        }
        assertTrue(Files.exists(gen.resolve("samples/000002.png")));
        assertEquals(2, CliRun.of("world", "train-generator", "--steps", "2", "--style-dim", "8", "--out", gen.toString()).code());
        CliRun negative = CliRun.of("world", "train-generator", "--steps", "1", "--detail-weight", "-1", "--out", gen.toString());
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("--detail-weight must not be negative"), negative.err());
        CliRun modulation = CliRun.of("world", "train-generator", "--steps", "1", "--modulation-lr-mul", "0", "--out", gen.toString());
        assertEquals(2, modulation.code());
        assertTrue(modulation.err().contains("--modulation-lr-mul must be positive"), modulation.err());
        CliRun background = CliRun.of("world", "train-generator", "--steps", "1", "--detail-categories", "makeup,background", "--out", gen.toString());
        assertEquals(2, background.code());
        assertTrue(background.err().contains("no detail mask for background"), background.err());
        CliRun unknown = CliRun.of("world", "train-generator", "--steps", "1", "--detail-categories", "lipstick", "--out", gen.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown attribute category 'lipstick'"), unknown.err());
        CliRun oneHot = CliRun.of("world", "train-generator", "--steps", "1", "--one-hot-codes", "0.5", "--out", gen.toString());
        assertEquals(2, oneHot.code());
        assertTrue(oneHot.err().contains("--one-hot-codes needs --codes and --init"), oneHot.err());
        CliRun fade = CliRun.of("world", "train-generator", "--steps", "1", "--crossfade", "0.5", "--out", gen.toString());
        assertEquals(2, fade.code());
        assertTrue(fade.err().contains("--crossfade needs --codes"), fade.err());
        assertEquals(2, CliRun.of("world", "train-generator", "--steps", "1", "--codes", "--crossfade", "1.5", "--out", gen.toString()).code());
        assertEquals(2, CliRun.of("world", "train-generator", "--steps", "1", "--codes", "--crossfade-factors", "4", "--out", gen.toString()).code());
        // a codes-mode run (its mapping compiled at the end), then re-laid one-hot and trained on crossfades
        Path coded = dir.resolve("coded"), relaid = dir.resolve("relaid");
        CliRun c1 = CliRun.of("world", "train-generator", "--steps", "1", "--batch", "2", "--channels", "4:32,8:32,16:32",
                "--codes", "--out", coded.toString());
        assertEquals(0, c1.code(), c1.err());
        CliRun c2 = CliRun.of("world", "train-generator", "--steps", "2", "--batch", "2", "--channels", "4:32,8:32,16:32",
                "--codes", "--init", coded.resolve("generator.pt").toString(), "--one-hot-codes", "0.5", "--crossfade", "1",
                "--crossfade-factors", "2", "--crossfade-sharpness", "5", "--crossfade-noise", "0.1", "--out", relaid.toString());
        assertEquals(0, c2.code(), c2.err());
        assertTrue(c2.out().contains("re-laid the codes one-hot at distance 0.5"), c2.out());
        try (Generator g = Generator.load(relaid.resolve("generator.pt")); org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
            float[] w = dev.styleclip.tensor.Tensors.toFloatArray(g.mapping(dev.styleclip.stylegan2.Latents.seedZ(0, 128)));
            int hot = 0;
            for (int i = 0; i < 52; i++) if (Math.abs(w[i] - 0.5) < 1e-3) hot++;
            assertEquals(13, hot, "the saved mapping draws one-hot codes");
        }

        // a warm start from that file, with a warm-up; a file of another shape is refused, naming a key
        Path more = dir.resolve("more");
        CliRun warm = CliRun.of("world", "train-generator", "--steps", "1", "--batch", "2", "--channels", "4:32,8:32,16:32",
                "--style-dim", "32", "--n-mlp", "2", "--warmup", "5", "--init", gen.resolve("generator.pt").toString(),
                "--out", more.toString());
        assertEquals(0, warm.code(), warm.err());
        assertTrue(warm.out().contains("started from"), warm.out());
        CliRun misfit = CliRun.of("world", "train-generator", "--steps", "1", "--batch", "2", "--channels", "4:32,8:16,16:32",
                "--style-dim", "32", "--n-mlp", "2", "--init", gen.resolve("generator.pt").toString(), "--out", more.toString());
        assertEquals(1, misfit.code(), misfit.err());
        assertTrue(misfit.err().contains("does not fit"), misfit.err());
        assertEquals(2, CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--blur", "1.5", "--out", more.toString()).code());
        CliRun pairs = CliRun.of("world", "train", "--model", "classifier", "--steps", "1", "--pairs", "0.5", "--out", more.toString());
        assertEquals(2, pairs.code());
        assertTrue(pairs.err().contains("--pairs applies to clip only"), pairs.err());
        assertEquals(2, CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--pairs", "2", "--out", more.toString()).code());

        // a CLIP fine-tune from the bundled CLIP, with label heads; --init is for clip only and must name a file
        Path tuned = dir.resolve("tuned");
        CliRun fine = CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--batch", "2", "--labels", "0.5",
                "--label-categories", "expression,makeup",
                "--init", BundledModels.path(BundledModels.CLIP).toString(), "--out", tuned.toString());
        assertEquals(0, fine.code(), fine.err());
        assertTrue(fine.err().contains(" labels "), "progress shows the label loss: " + fine.err());
        assertTrue(Files.size(tuned.resolve("clip.pt")) > 1_000_000, "the fine-tuned CLIP is written");
        CliRun labelsClassifier = CliRun.of("world", "train", "--model", "classifier", "--steps", "1", "--labels", "1", "--out", more.toString());
        assertEquals(2, labelsClassifier.code());
        assertTrue(labelsClassifier.err().contains("--labels applies to clip only"), labelsClassifier.err());
        assertEquals(2, CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--labels", "-1", "--out", more.toString()).code());
        CliRun badCategory = CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--labels", "1", "--label-categories", "smile",
                "--out", more.toString());
        assertEquals(2, badCategory.code());
        assertTrue(badCategory.err().contains("no category 'smile'") && badCategory.err().contains("expression"), badCategory.err());
        CliRun initClassifier = CliRun.of("world", "train", "--model", "classifier", "--steps", "1", "--init", tuned.resolve("clip.pt").toString(),
                "--out", more.toString());
        assertEquals(2, initClassifier.code());
        assertTrue(initClassifier.err().contains("--init applies to clip only"), initClassifier.err());
        CliRun noFile = CliRun.of("world", "train", "--model", "clip", "--steps", "1", "--init", dir.resolve("nope.pt").toString(), "--out", more.toString());
        assertEquals(2, noFile.code());
        assertTrue(noFile.err().contains("no such file"), noFile.err());
    }
}
