package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import dev.styleclip.edit.mapper.MapperLevel;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.io.TorchWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** styleclip mapper apply / train on the tiny fixture mapper (64 px decoder, tiny CLIP). */
class MapperCommandTest {
    static final String CKPT = CliRun.fixture("mapper/levels_mapper_seed2.pt").toString();
    static final String W = CliRun.fixture("mapper/w_plus_e2e.npy").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();
    static final String IR_SE = CliRun.fixture("arcface/tiny_ir_se.pth").toString();
    static final String PROMPT = "a person with purple hair";

    @TempDir
    Path dir;

    static double maxAbsDiff(RawTensor a, RawTensor b) {
        assertArrayEquals(a.shape(), b.shape());
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    /** The provenance a PNG carries: its tEXt chunk "styleclip", parsed. */
    static JsonObject provenance(Path png) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (!n.getNodeName().equals("tEXt")) continue;
                for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                    var attrs = e.getAttributes();
                    if (attrs.getNamedItem("keyword").getNodeValue().equals("styleclip")) {
                        return JsonParser.parseString(attrs.getNamedItem("value").getNodeValue()).getAsJsonObject();
                    }
                }
            }
        }
        throw new AssertionError(png + " has no styleclip text");
    }

    @Test
    void applyWritesEditedImagesStripsAndTheReferenceLatents() throws Exception {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("mapper", "apply", "--checkpoint", CKPT, "--latent", W, "--batch-size", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        for (String f : new String[] {"edited_00000.png", "edited_00001.png", "strip_00000.png", "strip_00001.png"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        BufferedImage strip = ImageIO.read(out.resolve("strip_00001.png").toFile());
        assertEquals(128, strip.getWidth(), "before | after");
        assertEquals(64, strip.getHeight());
        // inference.py's run_on_batch on the same latents: w_hat
        RawTensor golden = Npy.read(CliRun.fixture("mapper/inference_w_hat.npy"));
        assertTrue(maxAbsDiff(golden, Npy.read(out.resolve("w_hat.npy"))) <= 1e-5);
        assertEquals(0.0, maxAbsDiff(Npy.read(out.resolve("w_hat.npy")), TensorFiles.readSingle(out.resolve("w_hat.pt"))));
    }

    @Test
    void levelsSwitchOffASubMapper() throws Exception {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("mapper", "apply", "--checkpoint", CKPT, "--latent", W, "--levels", "coarse,medium", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        float[] w = Npy.read(Path.of(W)).toFloatArray();        // [2, 10, 512]
        float[] wHat = Npy.read(out.resolve("w_hat.npy")).toFloatArray();
        for (int b = 0; b < 2; b++) {
            for (int row = 0; row < 10; row++) {
                boolean same = true;
                for (int j = 0; j < 512; j++) same &= w[(b * 10 + row) * 512 + j] == wHat[(b * 10 + row) * 512 + j];
                assertEquals(row >= 8, same, "row " + row + " (fine rows are left as they are)");
            }
        }
        CliRun bad = CliRun.of("mapper", "apply", "--checkpoint", CKPT, "--latent", W, "--levels", "coarse,middle", "--out", out.toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("middle"), bad.err());
    }

    @Test
    void applyToSeedsWithASeparateGeneratorAndFailures() throws Exception {
        // the checkpoint's decoder as a generator file {'g_ema': ...}, and a mapper-only checkpoint
        MapperCheckpoint ckpt = MapperCheckpoint.read(Path.of(CKPT));
        Path g = dir.resolve("g.pt");
        TorchWriter.writeZip(g, Map.of("g_ema", new TorchWriter.OrderedDict(ckpt.decoder().tensors())));
        Path mapperOnly = dir.resolve("mapper_only.pt");
        Map<String, Object> sd = new java.util.LinkedHashMap<>();
        ckpt.mapperTensors().forEach((k, t) -> sd.put("mapper." + k, t));
        TorchWriter.writeZip(mapperOnly, Map.of("state_dict", new TorchWriter.OrderedDict(sd), "opts", Map.of("description", PROMPT)));

        Path out = dir.resolve("seeds");
        CliRun r = CliRun.of("mapper", "apply", "--checkpoint", mapperOnly.toString(), "--generator", g.toString(),
                "--seed", "3,4,5", "--batch-size", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        for (long s = 3; s <= 5; s++) assertTrue(Files.exists(out.resolve("edited_seed" + s + ".png")), "seed " + s);
        assertArrayEquals(new long[] {3, 10, 512}, Npy.read(out.resolve("w_hat.npy")).shape());
        JsonObject p = provenance(out.resolve("strip_seed4.png"));
        assertEquals("styleclip mapper apply", p.get("tool").getAsString());
        assertEquals(Hashes.sha256(mapperOnly), p.get("checkpoint_sha256").getAsString());
        assertEquals(Hashes.sha256(g), p.get("generator_sha256").getAsString());
        assertEquals(PROMPT, p.get("description").getAsString());
        assertEquals(List.of("coarse", "medium", "fine"), strings(p.getAsJsonArray("levels")));
        assertEquals(List.of("3", "4", "5"), strings(p.getAsJsonArray("seeds")));
        assertEquals(0.7, p.get("truncation").getAsDouble());
        assertEquals("const", p.get("noise").getAsString());

        CliRun noDecoder = CliRun.of("mapper", "apply", "--checkpoint", mapperOnly.toString(), "--seed", "1", "--out", out.toString());
        assertEquals(1, noDecoder.code(), noDecoder.toString());
        assertTrue(noDecoder.err().contains("no decoder"), noDecoder.err());
        assertEquals(1, CliRun.of("mapper", "apply", "--checkpoint", dir.resolve("missing.pt").toString(), "--seed", "1",
                "--out", out.toString()).code());
        assertEquals(2, CliRun.of("mapper", "apply", "--checkpoint", CKPT, "--out", out.toString()).code(), "--latent or --seed");
        assertEquals(2, CliRun.of("mapper").code());
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new java.util.ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @Test
    void applyRefusesBadValuesBeforeReadingAnything() {
        Path out = dir.resolve("out");
        String missing = dir.resolve("missing.pt").toString(); // a bad value is reported before the checkpoint is opened
        for (String[] bad : new String[][] {{"--batch-size", "0"}, {"--truncation", "0"}, {"--truncation", "nan"}, {"--levels", "coarse,middle"},
                {"--space", "s"}}) {
            CliRun r = CliRun.of("mapper", "apply", "--checkpoint", missing, "--seed", "1", bad[0], bad[1], "--out", out.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().startsWith("error: " + bad[0] + " "), r.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void stripKeepsTheMapperAndDropsTheDecoder() throws Exception {
        Path small = dir.resolve("stripped.pt");
        CliRun r = CliRun.of("mapper", "strip", CKPT, "--out", small.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("mapper width 512"), r.out());
        MapperCheckpoint full = MapperCheckpoint.read(Path.of(CKPT)), stripped = MapperCheckpoint.read(small);
        assertTrue(!stripped.hasDecoder() && full.hasDecoder());
        assertTrue(Files.size(small) < Files.size(Path.of(CKPT)), Files.size(small) + " vs " + Files.size(Path.of(CKPT)));
        assertEquals(full.levels(), stripped.levels());
        assertEquals(full.opts().get("description"), stripped.opts().get("description"));
        for (var e : full.mapperTensors().entrySet()) {
            assertEquals(0.0, maxAbsDiff(e.getValue().read(), stripped.mapperTensors().get(e.getKey()).read()), 0.0, e.getKey());
        }
        assertEquals(2, CliRun.of("mapper", "strip", CKPT, "--out", CKPT).code(), "never overwrites its input");
        assertEquals(2, CliRun.of("mapper", "strip", dir.resolve("nope.pt").toString(), "--out", small.toString()).code());
    }

    private static String[] trainArgs(Path exp, String... extra) {
        String[] base = {"mapper", "train", "--description", PROMPT, "--clip", CLIP, "--checkpoint", CKPT,
                "--latents-train", CliRun.fixture("mapper/train_latents.pt").toString(),
                "--latents-test", CliRun.fixture("mapper/train_test_latents.pt").toString(),
                "--exp-dir", exp.toString(), "--ir-se50", IR_SE, "--board-interval", "1", "--image-interval", "2",
                "--val-interval", "2", "--save-interval", "2"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainWritesCheckpointsAndResumes() throws Exception {
        Path exp = dir.resolve("exp");
        CliRun r = CliRun.of(trainArgs(exp, "--max-steps", "2"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("finished 2 steps"), r.out());
        assertTrue(r.err().contains("step 2/2 [####################] 100.0%") && r.err().contains("left 0:00:00"), r.err());
        assertTrue(r.out().contains("validation at step 0: id 0.0") && r.out().contains(" clip 0.9"), r.out());
        for (String f : new String[] {"checkpoints/iteration_0.pt", "checkpoints/iteration_1.pt", "checkpoints/best_model.pt",
                "checkpoints/train_state.pt", "checkpoints/timestamp.txt", "logs/images_train/00000.png", "logs/metrics.jsonl"}) {
            assertTrue(Files.exists(exp.resolve(f)), f);
        }
        // the checkpoint is the reference's: {'state_dict': mapper.* then decoder.*, 'opts': dict}
        Map<?, ?> root = CheckpointReader.read(exp.resolve("checkpoints/iteration_1.pt")).rootMap();
        assertEquals(123, Checkpoint.tensors(root.get("state_dict")).size());
        Map<?, ?> opts = (Map<?, ?>) root.get("opts");
        assertEquals(0.1, ((Number) opts.get("id_lambda")).doubleValue());
        assertEquals(Path.of(IR_SE).toAbsolutePath().normalize().toString(), opts.get("ir_se50_weights"));
        assertTrue(r.err().contains(" id 0.0"), "the progress shows the ID loss: " + r.err());
        assertEquals(MapperLevel.all(), MapperCheckpoint.read(exp.resolve("checkpoints/iteration_1.pt")).levels());

        Path state = exp.resolve("checkpoints/train_state.pt");
        CliRun more = CliRun.of("mapper", "train", "--resume", state.toString(), "--max-steps", "3");
        assertEquals(0, more.code(), more.toString());
        assertTrue(more.out().contains("steps 2-2 of 3"), more.out());
        assertTrue(Files.exists(exp.resolve("checkpoints/iteration_2.pt")));
        CliRun conflicting = CliRun.of("mapper", "train", "--resume", state.toString(), "--lr", "1");
        assertEquals(2, conflicting.code(), conflicting.toString());
        assertTrue(conflicting.err().contains("--lr cannot be combined with --resume"), conflicting.err());
        CliRun noSteps = CliRun.of("mapper", "train", "--resume", state.toString(), "--max-steps", "0");
        assertEquals(2, noSteps.code(), noSteps.toString());
        assertTrue(noSteps.err().startsWith("error: --max-steps "), noSteps.err());
    }

    @Test
    void trainRefusesBadUsage() {
        Path exp = dir.resolve("exp");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(trainArgs(exp, "--max-steps", "1")));
        args.subList(args.indexOf("--ir-se50"), args.indexOf("--ir-se50") + 2).clear();
        CliRun noIrSe = CliRun.of(args.toArray(new String[0]));
        assertEquals(2, noIrSe.code(), noIrSe.toString());
        assertTrue(noIrSe.err().startsWith("error: --ir-se50 ") && noIrSe.err().contains("id-lambda 0"), noIrSe.err());
        assertEquals(2, CliRun.of("mapper", "train", "--clip", CLIP, "--exp-dir", exp.toString()).code(), "no --description");
        for (String[] bad : new String[][] {{"--optimizer", "sgd"}, {"--lr", "nan"}, {"--lr", "0"}, {"--id-lambda", "-1"},
                {"--clip-lambda", "inf"}, {"--batch-size", "0"}, {"--test-batch-size", "0"}, {"--max-steps", "0"}, {"--truncation", "1.5"},
                {"--train-dataset-size", "0"}, {"--test-dataset-size", "-1"}, {"--levels", "coarse,middle"}}) {
            CliRun r = CliRun.of(trainArgs(exp, bad));
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().startsWith("error: " + bad[0] + " "), r.err());
        }
        assertFalse(Files.exists(exp), "refused before anything is loaded or written");
        CliRun resumeAndChange = CliRun.of("mapper", "train", "--resume", dir.resolve("missing.pt").toString(), "--lr", "1");
        assertEquals(2, resumeAndChange.code(), "checked before the state is read: " + resumeAndChange);
    }

    @Test
    void helpParagraphsAreWholeAndTrainSaysWhatAStopKeeps() {
        CommandLine mapper = new CommandLine(new Main()).getSubcommands().get("mapper");
        List<CommandLine> commands = new java.util.ArrayList<>(List.of(mapper));
        commands.addAll(mapper.getSubcommands().values());
        for (CommandLine c : commands) {
            String[] paragraphs = c.getCommandSpec().usageMessage().description();
            String name = c.getCommandSpec().qualifiedName();
            assertFalse(paragraphs[0].contains(". "), name + ": the summary is one sentence: " + paragraphs[0]);
            for (String p : paragraphs) assertTrue(p.endsWith(".") && !p.contains("\n"), name + ": a whole paragraph: " + p);
        }
        String train = String.join(" ", mapper.getSubcommands().get("train").getCommandSpec().usageMessage().description());
        assertTrue(train.contains("SIGTERM stops the run after the current step, saves its state to EXP/checkpoints/train_state.pt"), train);
        CliRun help = CliRun.of("mapper", "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("train  Train a latent mapper for one prompt"), help.out());
    }
}
