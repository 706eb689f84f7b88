package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless input, one test per kind: each ends with its exit code, a one-line message that names the
 * problem, and no file or folder created.
 */
class BadInputTest {
    static final String G = CliRun.fixture("stylegan2/tiny_g32.pt").toString();
    static final String CLIP = CliRun.fixture("clip/tiny_clip_jit.pt").toString();

    @TempDir
    Path dir;

    private static CliRun run(List<String> base, String... more) {
        List<String> args = new ArrayList<>(base);
        args.addAll(Arrays.asList(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** The error line (the first of stderr that starts with "error: "). */
    private static String error(CliRun r) {
        return r.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("(no error line) " + r.err());
    }

    @Test
    void nanInfiniteAndOutOfRangeOptionsAreUsageErrorsNamingTheOptionBeforeAnythingIsWritten() {
        Path out = dir.resolve("never");
        List<String> edit = List.of("edit", "--prompt", "smiling", "--seed", "1", "--out", out.toString());
        List<String> optimize = List.of("optimize", "--generator", G, "--clip", CLIP, "--prompt", "x", "--seed", "1",
                "--out", out.toString());
        List<String[]> cases = List.of(
                new String[] {"edit", "--method", "global", "--beta", "NaN"}, new String[] {"edit", "--method", "global", "--beta", "0"},
                new String[] {"edit", "--method", "global", "--beta", "1.5"}, new String[] {"edit", "--method", "global", "--alpha", "NaN"},
                new String[] {"edit", "--method", "global", "--alpha", "Infinity"}, new String[] {"edit", "--truncation", "NaN"},
                new String[] {"edit", "--truncation", "0"}, new String[] {"edit", "--lr", "NaN"}, new String[] {"edit", "--lr", "inf"},
                new String[] {"edit", "--lr", "1e308"}, new String[] {"edit", "--lr", "0"}, new String[] {"edit", "--l2-lambda", "NaN"},
                new String[] {"edit", "--l1-lambda", "-1"}, new String[] {"edit", "--steps", "0"}, new String[] {"edit", "--smooth-sigma", "NaN"},
                new String[] {"optimize", "--save-every", "-1"}, new String[] {"optimize", "--truncation", "NaN"},
                new String[] {"optimize", "--id-lambda", "NaN"}, new String[] {"optimize", "--views", "-3"},
                new String[] {"optimize", "--retry-below", "Infinity"}, new String[] {"optimize", "--steps", "-5"});
        for (String[] c : cases) {
            String option = c[c.length - 2];
            CliRun r = run(c[0].equals("edit") ? edit : optimize, Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r);
            assertTrue(error(r).startsWith("error: " + option + " must "), String.join(" ", c) + ": " + error(r));
            assertFalse(Files.exists(out), String.join(" ", c) + " created its output folder");
        }
    }

    @Test
    void aLatentFileHoldingNaNIsRefused() throws Exception {
        float[] values = new float[8 * 64];
        values[17] = Float.NaN;
        values[90] = Float.POSITIVE_INFINITY;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, RawTensor.ofFloats(values, 1, 8, 64));
        Path out = dir.resolve("out");
        List<CliRun> runs = List.of(
                CliRun.of("generate", "--generator", G, "--latent", nan.toString(), "--space", "w+", "--out", out.resolve("x.png").toString()),
                CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "x", "--latent", nan.toString(),
                        "--out", out.toString()),
                CliRun.of("edit", "--generator", G, "--clip", CLIP, "--prompt", "x", "--latent", nan.toString(), "--out", out.toString()));
        for (CliRun r : runs) {
            assertEquals(1, r.code(), r.toString());
            assertEquals("error: nan.npy holds 2 non-finite values (NaN or infinity) out of 512; its values must all be finite", error(r));
            assertFalse(Files.exists(out), "an output was created: " + r);
        }
    }

    @Test
    void aDamagedCheckpointIsNamedAsDamaged() throws Exception {
        Path copy = dir.resolve("damaged.pt");
        Files.copy(Path.of(G), copy);
        long offset;
        try (ZipFile zip = new ZipFile(copy.toFile())) {
            ZipEntry largest = zip.stream().filter(e -> e.getName().contains("/data/")).max((a, b) -> Long.compare(a.getSize(), b.getSize()))
                    .orElseThrow();
            offset = dataOffset(copy, largest);
            offset += largest.getSize() / 2;
        }
        byte[] bytes = Files.readAllBytes(copy);
        bytes[(int) offset] ^= 0x5a;
        Files.write(copy, bytes);
        Path out = dir.resolve("x.png");
        CliRun r = CliRun.of("generate", "--generator", copy.toString(), "--seed", "1", "--out", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(error(r).matches("error: damaged\\.pt is damaged: record .*/data/\\d+ fails its CRC-32 check.*"), error(r));
        assertFalse(Files.exists(out));
    }

    /** Where a stored zip entry's bytes start: after its local header (30 bytes, the name and the extra field). */
    private static long dataOffset(Path zip, ZipEntry e) throws Exception {
        byte[] all = Files.readAllBytes(zip);
        byte[] name = e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + 30 + name.length < all.length; i++) {
            if (all[i] == 0x50 && all[i + 1] == 0x4b && all[i + 2] == 3 && all[i + 3] == 4
                    && Arrays.equals(Arrays.copyOfRange(all, i + 30, i + 30 + name.length), name)) {
                int nameLen = (all[i + 26] & 0xff) | (all[i + 27] & 0xff) << 8;
                int extraLen = (all[i + 28] & 0xff) | (all[i + 29] & 0xff) << 8;
                return i + 30L + nameLen + extraLen;
            }
        }
        throw new IllegalStateException("no local header for " + e.getName());
    }

    @Test
    void aFolderGivenAsACheckpointIsNamedAsAFolder() {
        CliRun r = CliRun.of("generate", "--generator", dir.toString(), "--seed", "1", "--out", dir.resolve("x.png").toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("error: " + dir.getFileName() + " is a directory, not a file", error(r));
        CliRun missing = CliRun.of("inspect", dir.resolve("nothing.pt").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertEquals("error: nothing.pt: no such file", error(missing));
    }

    @Test
    void anOutputUnderARegularFileSaysWhy() throws Exception {
        Path file = dir.resolve("plain.txt");
        Files.writeString(file, "not a folder");
        CliRun r = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "x", "--seed", "1",
                "--steps", "1", "--out", file.resolve("sub").toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("error: " + file + " is a file, so nothing can be created under it", error(r));
        CliRun onFile = CliRun.of("optimize", "--generator", G, "--clip", CLIP, "--id-lambda", "0", "--prompt", "x", "--seed", "1",
                "--steps", "1", "--out", file.toString());
        assertEquals(1, onFile.code(), onFile.toString());
        assertEquals("error: " + file + " exists and is not a folder", error(onFile));
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void aNpyWithANegativeShapeSaysWhatIsWrong() throws Exception {
        byte[] npy = Npy.encode(RawTensor.ofFloats(new float[4], 2, 2));
        String header = new String(npy, 10, npy.length - 10 - 16, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] bad = npy.clone();
        byte[] replaced = header.replace("(2, 2)", "(-2, 2)").substring(0, header.length()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(replaced, 0, bad, 10, replaced.length);
        Path f = dir.resolve("negative.npy");
        Files.write(f, bad);
        CliRun r = CliRun.of("generate", "--generator", G, "--latent", f.toString(), "--out", dir.resolve("x.png").toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(error(r).startsWith("error: negative.npy: the header's shape (-2, 2) has a negative entry"), error(r));
    }

    @Test
    void anOverLongPromptSaysHowToFixItInTheCommandsOwnWords() {
        String prompt = "a very long prompt ".repeat(600);
        CliRun edit = CliRun.of("edit", "--generator", G, "--clip", CLIP, "--prompt", prompt, "--out", dir.resolve("e").toString());
        assertEquals(2, edit.code(), edit.toString());
        assertTrue(error(edit).endsWith("holds 77; shorten it"), error(edit));
        CliRun tokenize = CliRun.of("clip", "tokenize", "--text", prompt);
        assertEquals(2, tokenize.code(), tokenize.toString());
        assertTrue(error(tokenize).endsWith("holds 77; pass --truncate to cut it"), error(tokenize));
        assertFalse(edit.err().contains("TruncationPolicy") || tokenize.err().contains("TruncationPolicy"));
        assertFalse(Files.exists(dir.resolve("e")));
    }
}
