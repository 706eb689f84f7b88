package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's own {@code torch.load} reads what TorchWriter writes. Runs only where a Python with torch is
 * installed (Debian's python3-torch, say, or $STYLECLIP_PYTHON); skipped elsewhere.
 */
class TorchLoadInteropTest {
    @TempDir
    Path tmp;

    /** Compares each written file with the fixture torch wrote itself; both loaded by torch.load. */
    private static final String SCRIPT = """
            import sys, collections, torch
            def flat(o, p=""):
                out = {}
                if isinstance(o, torch.Tensor):
                    out[p] = o
                elif isinstance(o, dict):
                    for k, v in o.items():
                        out.update(flat(v, p + "." + k if p else k))
                return out
            def same(a, b, what):
                fa, fb = flat(a), flat(b)
                assert list(fa) == list(fb), what + ": keys differ"
                for k in fa:
                    x, y = fa[k], fb[k]
                    assert x.dtype == y.dtype and x.shape == y.shape and torch.equal(x, y), what + ": " + k
                assert type(a) is type(b), what + ": " + str(type(a)) + " vs " + str(type(b))
                assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None), what + ": _metadata"
            args = sys.argv[1:]
            while args:
                original, written, *args = args
                a = torch.load(original)
                same(a, torch.load(written), written)
                try:
                    b = torch.load(written, weights_only=True)
                except TypeError:  # torch < 1.13 has no weights_only
                    b = a
                same(a, b, written + " (weights_only)")
                print("ok", written, len(flat(a)))
            """;

    @Test
    void torchLoadReadsZipAndLegacyFilesIdenticalToTheFixtures() throws Exception {
        String python = pythonWithTorch();
        assumeTrue(python != null, "no Python with torch here");
        List<String> args = new ArrayList<>();
        for (String fixture : List.of(TorchWriterTest.G32, TorchWriterTest.IR_SE)) {
            Path original = Fixtures.path(fixture);
            Object root = CheckpointReader.read(original).root();
            String stem = original.getFileName().toString().replaceAll("\\..*", "");
            Path zip = tmp.resolve(stem + "_zip.pt");
            Path legacy = tmp.resolve(stem + "_legacy.pt");
            TorchWriter.writeZip(zip, root);
            TorchWriter.writeLegacy(legacy, root);
            args.addAll(List.of(original.toString(), zip.toString(), original.toString(), legacy.toString()));
        }
        Result r = run(python, args, SCRIPT);
        assertEquals(0, r.exit, r.output);
        assertEquals(4, r.output.lines().filter(l -> l.startsWith("ok ")).count(), r.output);
    }

    @Test
    void torchLoadReadsValuesOfEveryType() throws Exception {
        String python = pythonWithTorch();
        assumeTrue(python != null, "no Python with torch here");
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("w", RawTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        sd.put("scalar", RawTensor.ofFloats(new float[] {42}));
        sd.put("empty", RawTensor.ofFloats(new float[0], 0, 4));
        ByteBuffer l = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).flip();
        sd.put("long", new RawTensor(DType.INT64, new long[] {2}, l));
        sd.put("half", new RawTensor(DType.FLOAT16, new long[] {2}, ByteBuffer.wrap(new byte[] {0, 0x3c, 0, (byte) 0xc0})));
        sd.put("mask", new RawTensor(DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 1})));
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("s", "ünï");
        opts.put("i", -5);
        opts.put("big", 1L << 40);
        opts.put("f", 0.5);
        opts.put("b", true);
        opts.put("n", null);
        opts.put("l", List.of(1, 2));
        opts.put("t", new Object[] {1, "a", 2.0, 4});
        opts.put("bytes", new byte[] {0, (byte) 200});
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("", new LinkedHashMap<>(Map.of("version", 1)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", new TorchWriter.OrderedDict(sd, meta));
        root.put("opts", opts);
        Path zip = tmp.resolve("values.pt");
        Path legacy = tmp.resolve("values_legacy.pt");
        TorchWriter.writeZip(zip, root);
        TorchWriter.writeLegacy(legacy, root);
        String script = """
                import sys, collections, torch
                for f in sys.argv[1:]:
                    v = torch.load(f)
                    sd = v["state_dict"]
                    assert type(sd) is collections.OrderedDict and sd._metadata == {"": {"version": 1}}
                    assert list(sd) == ["w", "scalar", "empty", "long", "half", "mask"]
                    assert sd["w"].tolist() == [[1, 2, 3], [4, 5, 6]] and sd["w"].dtype == torch.float32
                    assert sd["w"].stride() == (3, 1) and not sd["w"].requires_grad
                    assert sd["scalar"].shape == () and sd["scalar"].item() == 42
                    assert sd["empty"].shape == (0, 4)
                    assert sd["long"].dtype == torch.int64 and sd["long"].tolist() == [7, -1]
                    assert sd["half"].dtype == torch.float16 and sd["half"].tolist() == [1.0, -2.0]
                    assert sd["mask"].dtype == torch.bool and sd["mask"].tolist() == [True, False, True]
                    assert v["opts"] == {"s": "ünï", "i": -5, "big": 1 << 40, "f": 0.5, "b": True, "n": None,
                                         "l": [1, 2], "t": (1, "a", 2.0, 4), "bytes": b"\\x00\\xc8"}, v["opts"]
                    assert type(v) is dict
                    print("ok", f)
                """;
        Result r = run(python, List.of(zip.toString(), legacy.toString()), script);
        assertEquals(0, r.exit, r.output);
        assertEquals(2, r.output.lines().filter(x -> x.startsWith("ok ")).count(), r.output);
    }

    private record Result(int exit, String output) {
    }

    private Result run(String python, List<String> args, String script) throws IOException, InterruptedException {
        Path py = tmp.resolve("check.py");
        Files.writeString(py, script);
        List<String> cmd = new ArrayList<>(List.of(python, py.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python did not finish");
        return new Result(p.exitValue(), out);
    }

    private static String cachedPython;
    private static boolean probed;

    /** The first of $STYLECLIP_PYTHON, /usr/bin/python3, python3 that can import torch; null if none. */
    private static synchronized String pythonWithTorch() {
        if (probed) return cachedPython;
        probed = true;
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("STYLECLIP_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import torch").redirectErrorStream(true).start();
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    cachedPython = c;
                    break;
                }
                p.destroy();
            } catch (IOException | InterruptedException e) {
                // not there: try the next
            }
        }
        return cachedPython;
    }
}
