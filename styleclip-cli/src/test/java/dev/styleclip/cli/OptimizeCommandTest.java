package dev.styleclip.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptimizeCommandTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();
    static final String ARC = CliRun.fixture("arcface/tiny_ir_se.pth").toString();

    @TempDir
    Path dir;

    @Test
    void editWritesEveryOutputAndLowersTheClipLoss() throws Exception {
        CliRun r = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--arcface", ARC, "--prompt", "a person with purple hair",
                "--latent", CliRun.fixture("optimize/start.wplus.pt").toString(), "--steps", "12", "--save-every", "5",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        for (String f : List.of("final.png", "before_after.png", "latent.npy", "losses.csv", "provenance.json",
                "step_0000.png", "step_0005.png", "step_0010.png")) {
            assertTrue(Files.exists(dir.resolve(f)), f + " missing; " + r);
        }
        BufferedImage strip = ImageIO.read(dir.resolve("before_after.png").toFile());
        assertEquals(64, strip.getWidth());
        List<String> csv = Files.readAllLines(dir.resolve("losses.csv"));
        assertEquals("step,lr,clip,l2,l1,id,total", csv.get(0));
        assertEquals(13, csv.size());
        double first = Double.parseDouble(csv.get(1).split(",")[2]);
        double last = Double.parseDouble(csv.get(12).split(",")[2]);
        assertTrue(last < first, "CLIP loss should fall: " + first + " -> " + last);
        assertEquals(8, Npy.read(dir.resolve("latent.npy")).shape()[1]);
        JsonObject prov = json(dir.resolve("provenance.json"));
        assertEquals("a person with purple hair", prov.get("prompt").getAsString());
        assertEquals(64, prov.get("arcface_sha256").getAsString().length());
        assertEquals(0.005, prov.get("id_lambda").getAsDouble());

        // the final latent is reusable as a start
        Path again = dir.resolve("again");
        CliRun r2 = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "a person with purple hair", "--id-lambda", "0",
                "--latent", dir.resolve("latent.npy").toString(), "--steps", "2", "--out", again.toString());
        assertEquals(0, r2.code(), r2.toString());
    }

    @Test
    void severalPromptsAndSeedsMakeSubfolders() {
        CliRun r = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a smiling face", "a lion",
                "--seed", "1,2", "--space", "s", "--steps", "3", "--save-every", "0", "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        for (String sub : List.of("a_smiling_face_seed1", "a_smiling_face_seed2", "a_lion_seed1", "a_lion_seed2")) {
            assertTrue(Files.exists(dir.resolve(sub).resolve("final.png")), sub);
        }
        assertEquals(4, r.out().lines().filter(l -> l.contains("wrote")).count(), r.out());
    }

    @Test
    void aRetryWritesItsStepsBesideTheFirstPass() throws Exception {
        // a minimum gain no run reaches: the edit is optimized again, from the start, with the second L1 weight
        CliRun r = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a lion", "--seed", "2",
                "--steps", "4", "--save-every", "0", "--l1-lambda", "0.5", "--retry-below", "100", "--retry-l1", "0.001",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("optimized again with L1 weight 0.001"), r.out());
        List<String> first = Files.readAllLines(dir.resolve("losses.csv"));
        List<String> second = Files.readAllLines(dir.resolve("losses_retry.csv"));
        assertEquals(5, first.size());
        assertEquals(5, second.size());
        assertEquals(first.get(0), second.get(0));
        assertEquals("0", second.get(1).split(",")[0], "the second pass counts its steps from 0");
        assertTrue(first.get(4).split(",")[4].compareTo("0") != 0 && !first.get(4).equals(second.get(4)), first + " / " + second);
        JsonObject prov = json(dir.resolve("provenance.json"));
        assertEquals(100.0, prov.get("retry_below").getAsDouble());
        assertEquals(0.001, prov.get("retry_l1").getAsDouble());
        assertTrue(prov.get("retried").getAsBoolean());
    }

    @Test
    void wSpaceWithViewsAndSmoothing() throws Exception {
        CliRun r = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "a person with purple hair",
                "--seed", "3", "--space", "w", "--views", "2", "--smooth", "2", "--smooth-sigma", "0.3", "--steps", "6", "--save-every", "0",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> csv = Files.readAllLines(dir.resolve("losses.csv"));
        assertEquals(7, csv.size());
        assertEquals(0, Double.parseDouble(csv.get(1).split(",")[3]), 1e-9, "the run starts at the start");
        assertTrue(Double.parseDouble(csv.get(6).split(",")[3]) > 0, "the latent never moved: " + csv);
        assertEquals(8, Npy.read(dir.resolve("latent.npy")).shape()[1], "W results are saved as W+");
        JsonObject prov = json(dir.resolve("provenance.json"));
        assertEquals(2, prov.get("views").getAsInt());
        assertEquals(2, prov.get("smooth").getAsInt());
        assertEquals("w", prov.get("space").getAsString());
        assertEquals(2, CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "x", "--seed", "1",
                "--space", "s", "--smooth", "2", "--out", dir.resolve("bad").toString()).code(), "smoothing in S");
        for (String[] bad : List.of(new String[] {"--space", "q"}, new String[] {"--views", "-1"},
                new String[] {"--smooth", "-2"}, new String[] {"--smooth-sigma", "0"}, new String[] {"--l1-ramp", "2"},
                new String[] {"--l1-pull-share", "-1"}, new String[] {"--space", "s", "--l1-pull-share", "0.5"},
                new String[] {"--retry-below", "-1"}, new String[] {"--retry-l1", "NaN"},
                new String[] {"--mode", "free", "--retry-below", "0.1"})) {
            List<String> args = new java.util.ArrayList<>(List.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0",
                    "--prompt", "x", "--seed", "1", "--out", dir.resolve("bad").toString()));
            args.addAll(List.of(bad));
            CliRun refused = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, refused.code(), String.join(" ", bad) + ": " + refused.err());
        }
    }

    @Test
    void usageErrors() {
        assertEquals(2, CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "x", "--seed", "1",
                "--out", dir.toString()).code(), "id loss without --arcface");
        assertEquals(2, CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "x", "--id-lambda", "0",
                "--out", dir.toString()).code(), "edit needs a start");
        assertEquals(2, CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "x", "--mode", "wild",
                "--seed", "1", "--out", dir.toString()).code());
        assertEquals(0, CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "x", "--mode", "free",
                "--steps", "2", "--out", dir.toString()).code(), "free generation starts from the mean latent");
    }

    private static JsonObject json(Path file) throws java.io.IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }
}
