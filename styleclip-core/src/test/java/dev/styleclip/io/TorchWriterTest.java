package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TorchWriter: the same weights written as zip and as legacy load to identical tensors, in the same order. */
class TorchWriterTest {
    static final String G32 = "stylegan2/tiny_g32.pt";
    static final String IR_SE = "arcface/tiny_ir_se.pth";

    @TempDir
    Path tmp;

    // ---- round trips of the fixtures ---------------------------------------------------------------------

    @Test
    void legacyToZipLoadsIdenticalTensors() throws IOException {
        Checkpoint original = CheckpointReader.read(Fixtures.path(IR_SE));
        assertEquals(FileFormat.TORCH_LEGACY, original.format());
        Path out = tmp.resolve("ir_se.pt");
        TorchWriter.writeZip(out, original.root());

        Checkpoint copy = CheckpointReader.read(out);
        assertEquals(FileFormat.TORCH_ZIP, copy.format());
        assertSameTensors(original.root(), copy.root());
        // a state_dict stays an OrderedDict and keeps its _metadata (BatchNorm's version entries, ...)
        var before = assertInstanceOf(SafeUnpickler.PyOrderedDict.class, original.root());
        var after = assertInstanceOf(SafeUnpickler.PyOrderedDict.class, copy.root());
        assertNotNull(before.metadata(), "fixture has _metadata");
        assertEquals(String.valueOf(before.metadata()), String.valueOf(after.metadata()));
    }

    @Test
    void zipToLegacyLoadsIdenticalTensors() throws IOException {
        Checkpoint original = CheckpointReader.read(Fixtures.path(G32));
        assertEquals(FileFormat.TORCH_ZIP, original.format());
        Path out = tmp.resolve("g32_legacy.pt");
        TorchWriter.writeLegacy(out, original.root());

        Checkpoint copy = CheckpointReader.read(out);
        assertEquals(FileFormat.TORCH_LEGACY, copy.format());
        assertSameTensors(original.root(), copy.root());
        // {'g_ema': OrderedDict, 'latent_avg': tensor}: a plain dict around a state_dict
        Map<?, ?> top = copy.rootMap();
        assertEquals(List.of("g_ema", "latent_avg"), new ArrayList<>(top.keySet()));
        assertFalse(top instanceof SafeUnpickler.PyOrderedDict, "the top level was a plain dict");
        assertInstanceOf(SafeUnpickler.PyOrderedDict.class, top.get("g_ema"));
        assertInstanceOf(TensorRef.class, top.get("latent_avg"));
        // more than 10 storages, so the string-sorted key order ("0", "1", "10", ...) differs from numeric
        assertTrue(Checkpoint.tensors(copy.root()).size() > 10);
    }

    @Test
    void zipToZipLoadsIdenticalTensorsAndIsDeterministic() throws IOException {
        Checkpoint original = CheckpointReader.read(Fixtures.path(G32));
        Path a = tmp.resolve("a/g32.pt");
        Path b = tmp.resolve("b/g32.pt");
        TorchWriter.writeZip(a, original.root());
        TorchWriter.writeZip(b, original.root());
        assertSameTensors(original.root(), CheckpointReader.read(a).root());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "equal trees give equal bytes");
    }

    @Test
    void legacyToLegacyAndBackToZip() throws IOException {
        Checkpoint original = CheckpointReader.read(Fixtures.path(IR_SE));
        Path legacy = tmp.resolve("ir_se_legacy.pth");
        Path zip = tmp.resolve("ir_se_zip.pth");
        TorchWriter.writeLegacy(legacy, original.root());
        TorchWriter.writeZip(zip, CheckpointReader.read(legacy).root());
        assertSameTensors(original.root(), CheckpointReader.read(legacy).root());
        assertSameTensors(original.root(), CheckpointReader.read(zip).root());
    }

    // ---- layout -------------------------------------------------------------------------------------------

    @Test
    void zipLayoutIsTorchs() throws IOException {
        Path out = tmp.resolve("tiny_g32_copy.pt");
        TorchWriter.writeZip(out, CheckpointReader.read(Fixtures.path(G32)).root());
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(out.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                names.add(entry.getName());
                assertEquals(ZipEntry.STORED, entry.getMethod(), entry.getName());
            }
            assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("tiny_g32_copy/version")).readAllBytes(),
                    StandardCharsets.US_ASCII));
            assertEquals("little", new String(zip.getInputStream(zip.getEntry("tiny_g32_copy/byteorder")).readAllBytes(),
                    StandardCharsets.US_ASCII));
            byte[] pkl = zip.getInputStream(zip.getEntry("tiny_g32_copy/data.pkl")).readAllBytes();
            assertEquals((byte) 0x80, pkl[0]);
            assertEquals(2, pkl[1], "pickle protocol 2");
            assertEquals('.', pkl[pkl.length - 1]);
            String text = new String(pkl, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("ctorch._utils\n_rebuild_tensor_v2\n"));
            assertTrue(text.contains("ctorch\nFloatStorage\n"));
            assertTrue(text.contains("ccollections\nOrderedDict\n"));
        }
        int tensors = Checkpoint.tensors(CheckpointReader.read(out).root()).size();
        List<String> expected = new ArrayList<>(List.of("tiny_g32_copy/data.pkl", "tiny_g32_copy/byteorder"));
        for (int i = 0; i < tensors; i++) expected.add("tiny_g32_copy/data/" + i);
        expected.add("tiny_g32_copy/version");
        assertEquals(expected, names);

        // every payload starts on a 64-byte boundary; the padding is an "FB" extra field, as torch writes it
        byte[] file = Files.readAllBytes(out);
        List<long[]> headers = localHeaders(file);
        assertEquals(names.size(), headers.size());
        for (long[] h : headers) {
            assertEquals(0, h[1] % TorchWriter.ALIGNMENT, "payload offset " + h[1] + " of the entry at " + h[0]);
            int extra = (int) h[0] + 30 + u16(file, (int) h[0] + 26);
            assertEquals('F', file[extra]);
            assertEquals('B', file[extra + 1]);
        }
    }

    @Test
    void legacyLayoutIsTorchs() throws IOException {
        Path out = tmp.resolve("ir.pth");
        TorchWriter.writeLegacy(out, CheckpointReader.read(Fixtures.path(IR_SE)).root());
        byte[] ours = Files.readAllBytes(out);
        byte[] theirs = Files.readAllBytes(Fixtures.path(IR_SE));
        // magic number and protocol pickles are byte for byte what torch (CPython's pickler) wrote
        byte[] magicAndProtocol = {
                (byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
                (byte) 0xa8, 0x50, 0x19, '.', (byte) 0x80, 2, 'M', (byte) 0xe9, 3, '.'};
        assertArrayEquals(magicAndProtocol, Arrays.copyOf(theirs, magicAndProtocol.length), "the fixture's prefix");
        assertArrayEquals(magicAndProtocol, Arrays.copyOf(ours, magicAndProtocol.length));
        // the file ends with the last storage's data, as torch's does: same total tensor payload
        long payload = 0;
        for (TensorRef t : Checkpoint.tensors(CheckpointReader.read(out).root()).values()) payload += t.numel() * t.dtype().bytes;
        assertTrue(ours.length > payload);
    }

    @Test
    void persistentIdsHaveTheTupleShapesTorchLoadUnpacks() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("a", RawTensor.ofFloats(new float[] {1, 2, 3}, 3));
        root.put("b", longTensor(new long[] {4}, 1));
        // zip: ('storage', storage_type, key, location, numel)
        Path zip = tmp.resolve("pid.pt");
        TorchWriter.writeZip(zip, root);
        byte[] pkl;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            pkl = z.getInputStream(z.getEntry("pid/data.pkl")).readAllBytes();
        }
        List<Object[]> pids = new ArrayList<>();
        SafeUnpickler.load(pkl, TorchGlobals.allowed(false), pid -> recordPid(pids, pid));
        assertEquals(2, pids.size());
        assertPid(pids.get(0), DType.FLOAT32, "0", 3, 5);
        assertPid(pids.get(1), DType.INT64, "1", 1, 5);

        // legacy: ('storage', storage_type, root_key, location, numel, view_metadata=None)
        Path legacy = tmp.resolve("pid.pth");
        TorchWriter.writeLegacy(legacy, root);
        pids.clear();
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(legacy))) {
            for (int i = 0; i < 3; i++) SafeUnpickler.load(in, Map.of(), null); // magic, protocol, sys_info
            SafeUnpickler.load(in, TorchGlobals.allowed(false), pid -> recordPid(pids, pid));
            assertEquals(List.of("0", "1"), SafeUnpickler.load(in, Map.of(), null));
        }
        assertPid(pids.get(0), DType.FLOAT32, "0", 3, 6);
        assertPid(pids.get(1), DType.INT64, "1", 1, 6);
        assertNull(pids.get(0)[5]);
    }

    @Test
    void legacySysInfoIsTorchs() throws IOException {
        Path legacy = tmp.resolve("sys.pth");
        TorchWriter.writeLegacy(legacy, Map.of());
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(legacy))) {
            assertEquals(TorchWriter.LEGACY_MAGIC, SafeUnpickler.load(in, Map.of(), null));
            assertEquals(1001, SafeUnpickler.load(in, Map.of(), null));
            assertEquals(Map.of("protocol_version", 1001, "little_endian", true,
                    "type_sizes", Map.of("short", 2, "int", 4, "long", 4)), SafeUnpickler.load(in, Map.of(), null));
            assertEquals(Map.of(), SafeUnpickler.load(in, Map.of(), null));
            assertEquals(List.of(), SafeUnpickler.load(in, Map.of(), null));
            assertEquals(-1, in.read(), "no storages, nothing after the key list");
        }
    }

    private static Object recordPid(List<Object[]> pids, Object pid) {
        Object[] t = (Object[]) pid;
        pids.add(t);
        DType dtype = ((TorchGlobals.StorageType) t[1]).dtype();
        long numel = ((Number) t[4]).longValue();
        return new TensorRef.Storage() {
            public DType dtype() {
                return dtype;
            }

            public long numel() {
                return numel;
            }

            public ByteBuffer bytes() {
                return ByteBuffer.allocate(0);
            }
        };
    }

    private static void assertPid(Object[] pid, DType dtype, String key, long numel, int length) {
        assertEquals(length, pid.length, Arrays.toString(pid));
        assertEquals("storage", pid[0]);
        assertEquals(dtype, ((TorchGlobals.StorageType) pid[1]).dtype());
        assertEquals(key, pid[2]);
        assertEquals("cpu", pid[3]);
        assertEquals(numel, ((Number) pid[4]).longValue());
    }

    // ---- value types ----------------------------------------------------------------------------------------

    @Test
    void everyValueTypeSurvivesBothLayouts() throws IOException {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("description", "a person with purple hair — ünïcode");
        opts.put("zero", 0);
        opts.put("byte", 255);
        opts.put("short", 65535);
        opts.put("int", -7);
        opts.put("intMax", Integer.MAX_VALUE);
        opts.put("long", 1L << 40);
        opts.put("longMin", Long.MIN_VALUE);
        opts.put("big", new BigInteger("123456789012345678901234567890"));
        opts.put("lr", 0.5);
        opts.put("negZero", -0.0);
        opts.put("float", 1.5f);
        opts.put("yes", true);
        opts.put("no", false);
        opts.put("none", null);
        opts.put("list", List.of(1, "two", 3.0));
        opts.put("single", List.of("one"));
        opts.put("empty", List.of());
        opts.put("emptyDict", new LinkedHashMap<>());
        opts.put("tuple", new Object[] {1, 2});
        opts.put("tuple5", new Object[] {1, 2, 3, 4, 5});
        opts.put("emptyTuple", new Object[0]);
        opts.put("bytes", new byte[] {0, 1, (byte) 0x80, (byte) 0xff});
        opts.put("intKeys", new LinkedHashMap<>(Map.of(3, "three")));

        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("w", RawTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        sd.put("scalar", RawTensor.ofFloats(new float[] {42}));
        sd.put("empty", RawTensor.ofFloats(new float[0], 0, 4));
        sd.put("steps", longTensor(new long[] {7, -1, Long.MAX_VALUE}, 3));
        sd.put("half", new RawTensor(DType.FLOAT16, new long[] {2}, bytes(0x00, 0x3c, 0x00, 0xc0)));
        sd.put("mask", new RawTensor(DType.BOOL, new long[] {3}, bytes(1, 0, 1)));
        sd.put("pixels", new RawTensor(DType.UINT8, new long[] {1, 2}, bytes(0, 255)));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("", new LinkedHashMap<>(Map.of("version", 1)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", new TorchWriter.OrderedDict(sd, meta));
        root.put("opts", opts);

        for (boolean legacy : new boolean[] {false, true}) {
            Path out = tmp.resolve(legacy ? "values_legacy.pt" : "values.pt");
            if (legacy) TorchWriter.writeLegacy(out, root);
            else TorchWriter.writeZip(out, root);
            Checkpoint c = CheckpointReader.read(out);
            Map<?, ?> back = c.rootMap();
            assertEquals(List.of("state_dict", "opts"), new ArrayList<>(back.keySet()));
            Map<?, ?> o = (Map<?, ?>) back.get("opts");
            assertEquals(new ArrayList<>(opts.keySet()), new ArrayList<>(o.keySet()));
            assertEquals("a person with purple hair — ünïcode", o.get("description"));
            for (String k : List.of("zero", "byte", "short", "int", "intMax", "long", "longMin")) {
                assertEquals(((Number) opts.get(k)).longValue(), ((Number) o.get(k)).longValue(), k);
            }
            assertEquals(opts.get("big"), new BigInteger(String.valueOf(o.get("big"))));
            assertEquals(0.5, o.get("lr"));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) o.get("negZero")));
            assertEquals(1.5, o.get("float"));
            assertEquals(Boolean.TRUE, o.get("yes"));
            assertEquals(Boolean.FALSE, o.get("no"));
            assertTrue(o.containsKey("none"));
            assertNull(o.get("none"));
            assertEquals(List.of(1, "two", 3.0), o.get("list"));
            assertEquals(List.of("one"), o.get("single"));
            assertEquals(List.of(), o.get("empty"));
            assertEquals(Map.of(), o.get("emptyDict"));
            assertArrayEquals(new Object[] {1, 2}, (Object[]) o.get("tuple"));
            assertArrayEquals(new Object[] {1, 2, 3, 4, 5}, (Object[]) o.get("tuple5"));
            assertArrayEquals(new Object[0], (Object[]) o.get("emptyTuple"));
            assertArrayEquals(new byte[] {0, 1, (byte) 0x80, (byte) 0xff}, (byte[]) o.get("bytes"));
            assertEquals(Map.of(3, "three"), o.get("intKeys"));

            var state = assertInstanceOf(SafeUnpickler.PyOrderedDict.class, back.get("state_dict"));
            assertEquals(String.valueOf(meta), String.valueOf(state.metadata()));
            Map<String, TensorRef> tensors = Checkpoint.tensors(state);
            assertEquals(new ArrayList<>(sd.keySet()), new ArrayList<>(tensors.keySet()));
            for (Map.Entry<String, Object> e : sd.entrySet()) {
                assertSameTensor(e.getKey(), (RawTensor) e.getValue(), tensors.get(e.getKey()).read());
            }
        }
    }

    @Test
    void theSameTensorTwiceSharesOneStorage() throws IOException {
        RawTensor t = RawTensor.ofFloats(new float[] {1, 2, 3}, 3);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("a", t);
        root.put("b", t);
        root.put("c", RawTensor.ofFloats(new float[] {1, 2, 3}, 3));
        Path out = tmp.resolve("shared.pt");
        TorchWriter.writeZip(out, root);
        try (ZipFile zip = new ZipFile(out.toFile())) {
            assertNotNull(zip.getEntry("shared/data/1"));
            assertNull(zip.getEntry("shared/data/2"), "a and b share storage 0, c has storage 1");
        }
        for (Path p : List.of(out, legacy(root, "shared_legacy.pt"))) {
            Map<String, TensorRef> back = Checkpoint.tensors(CheckpointReader.read(p).root());
            for (String k : List.of("a", "b", "c")) assertSameTensor(k, t, back.get(k).read());
        }
    }

    @Test
    void archiveFolderIsTheFileStem() {
        assertEquals("stylegan2-ffhq-config-f", TorchWriter.archiveName(Path.of("/x/stylegan2-ffhq-config-f.pt")));
        assertEquals("model.v2", TorchWriter.archiveName(Path.of("model.v2.pth")));
        assertEquals("noext", TorchWriter.archiveName(Path.of("noext")));
        assertEquals(".pt", TorchWriter.archiveName(Path.of(".pt")));
    }

    // ---- refusals and atomicity -------------------------------------------------------------------------------

    @Test
    void unsupportedValuesAreRefusedWithTheirPathAndTheTargetIsUntouched() throws IOException {
        Path out = tmp.resolve("keep.pt");
        Files.writeString(out, "previous content");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("opts", new LinkedHashMap<>(Map.of("when", new java.util.Date())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchWriter.writeZip(out, root));
        assertTrue(e.getMessage().contains("['opts']['when']"), e.getMessage());

        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        e = assertThrows(IllegalArgumentException.class, () -> TorchWriter.writeLegacy(out, cyclic));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());

        assertEquals("previous content", Files.readString(out));
        assertNoTempFiles();
    }

    @Test
    void aWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path out = tmp.resolve("model.pt");
        TorchWriter.writeZip(out, Map.of("x", RawTensor.ofFloats(new float[] {1}, 1)));
        byte[] before = Files.readAllBytes(out);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(out, stream -> {
            stream.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertEquals(out.toAbsolutePath() + ": disk full", e.getMessage(), "the failure names the file it could not write");
        assertArrayEquals(before, Files.readAllBytes(out));
        assertNoTempFiles();
        CheckpointReader.read(out); // still a valid checkpoint
    }

    @Test
    void writtenFilesGetOrdinaryPermissionsNotOwnerOnly() throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path out = tmp.resolve("perm.pt");
        TorchWriter.writeZip(out, Map.of("x", RawTensor.ofFloats(new float[] {1}, 1)));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out), "as a plainly created file");
        // replacing a file keeps that file's permissions
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        TorchWriter.writeLegacy(out, Map.of("x", RawTensor.ofFloats(new float[] {2}, 1)));
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(out));
        assertNoTempFiles();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private Path legacy(Object root, String name) throws IOException {
        Path p = tmp.resolve(name);
        TorchWriter.writeLegacy(p, root);
        return p;
    }

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            assertEquals(List.of(), parts);
        }
    }

    static void assertSameTensors(Object expectedRoot, Object actualRoot) {
        Map<String, TensorRef> expected = Checkpoint.tensors(expectedRoot);
        Map<String, TensorRef> actual = Checkpoint.tensors(actualRoot);
        assertFalse(expected.isEmpty());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "keys in the same order");
        for (Map.Entry<String, TensorRef> e : expected.entrySet()) {
            assertSameTensor(e.getKey(), e.getValue().read(), actual.get(e.getKey()).read());
        }
    }

    static void assertSameTensor(String what, RawTensor expected, RawTensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what);
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(expected.data(), actual.data(), what + ": bytes differ");
    }

    private static RawTensor longTensor(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        b.flip();
        return new RawTensor(DType.INT64, shape, b);
    }

    private static ByteBuffer bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return ByteBuffer.wrap(b);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** (header offset, payload offset) of every local file header, walking the stored entries in order. */
    private static List<long[]> localHeaders(byte[] f) {
        List<long[]> out = new ArrayList<>();
        int at = 0;
        while (at + 30 <= f.length && f[at] == 'P' && f[at + 1] == 'K' && f[at + 2] == 3 && f[at + 3] == 4) {
            int size = (f[at + 22] & 0xff) | (f[at + 23] & 0xff) << 8 | (f[at + 24] & 0xff) << 16 | (f[at + 25] & 0xff) << 24;
            int payload = at + 30 + u16(f, at + 26) + u16(f, at + 28);
            out.add(new long[] {at, payload});
            at = payload + size;
        }
        return out;
    }
}
