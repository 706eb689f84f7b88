package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One byte flipped inside each fixture checkpoint: reading it, and reading its tensors (a torch zip's
 * storages are read lazily), must say that the file is damaged and name it. Each fixture is copied into a
 * temporary folder and damaged there; the fixtures themselves are never changed.
 */
class DamagedFixturesTest {
    private static final String CRC_FAILS = " fails its CRC-32 check (the file was changed or cut short after it was written)";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchZips")
    void aFlippedByteInsideATensorRecordFailsItsCrcWhenTheTensorIsRead(String fixture) throws IOException {
        Path original = Fixtures.path(fixture);
        String record = largestDataRecord(original);
        Path damaged = flipInTheMiddleOf(original, record);
        Map<String, byte[]> intact = tensorBytes(original);

        Checkpoint c = CheckpointReader.read(damaged); // data.pkl is intact, the storages are read lazily
        int failed = 0;
        for (Map.Entry<String, TensorRef> e : Checkpoint.tensors(c.root()).entrySet()) {
            try {
                assertArrayEquals(intact.get(e.getKey()), bytes(e.getValue().read()), e.getKey() + " changed");
            } catch (UncheckedIOException ex) {
                assertEquals(damaged.getFileName() + " is damaged: record " + record + CRC_FAILS, ex.getMessage());
                assertEquals(ex.getMessage(), assertInstanceOf(CheckpointException.class, ex.getCause()).getMessage());
                failed++;
            }
        }
        assertTrue(failed > 0, "no tensor of " + fixture + " reads " + record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchZips")
    void aFlippedByteInsideDataPklFailsItsCrcWhenTheFileIsOpened(String fixture) throws IOException {
        Path original = Fixtures.path(fixture);
        String pickle = record(original, name -> name.endsWith("/data.pkl") && name.indexOf('/') == name.lastIndexOf('/'));
        Path damaged = flipInTheMiddleOf(original, pickle);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(damaged));
        assertEquals(damaged.getFileName() + " is damaged: record " + pickle + CRC_FAILS, e.getMessage());
    }

    @Test
    void aDamagedSingleTensorFileIsACheckpointExceptionFromReadSingle() throws IOException {
        Path original = Fixtures.path("optimize/start.wplus.pt");
        Path damaged = flipInTheMiddleOf(original, "start.wplus/data/0");
        CheckpointException e = assertThrows(CheckpointException.class, () -> TensorFiles.readSingle(damaged));
        assertEquals("start.wplus.pt is damaged: record start.wplus/data/0" + CRC_FAILS, e.getMessage());
    }

    @Test
    void aFlippedByteInsideAnNpzArrayFailsItsCrc() throws IOException {
        Path npz = tmp.resolve("arrays.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            for (String name : List.of("stylegan2/latent_avg.npy", "stylegan2/wplus.npy")) {
                stored(zip, Path.of(name).getFileName().toString(), Files.readAllBytes(Fixtures.path(name)));
            }
        }
        assertEquals(List.of("latent_avg", "wplus"), List.copyOf(Npy.readNpz(npz).keySet()));
        Path damaged = flipInTheMiddleOf(npz, "wplus.npy");
        String expected = damaged.getFileName() + " is damaged: record wplus.npy" + CRC_FAILS;
        assertEquals(expected, assertThrows(CheckpointException.class, () -> Npy.readNpz(damaged)).getMessage());
        assertEquals(expected, assertThrows(CheckpointException.class, () -> CheckpointReader.read(damaged)).getMessage());
    }

    // A torch.save legacy file has no checksum: a flipped byte inside a storage's data cannot be told from a
    // weight, so these damage what the file records about itself (the element count before each storage's
    // data, the magic number, where it ends).

    @ParameterizedTest(name = "{0}")
    @MethodSource("legacyFiles")
    void aFlippedByteInALegacyStoragesElementCountIsReported(String fixture) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        int countAt = firstStorageCount(all);
        long count = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(countAt);
        all[countAt] = (byte) ~all[countAt]; // the count's lowest byte
        long flipped = count ^ 0xff;
        Path damaged = write(fixture, all);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(damaged));
        assertMatches(Pattern.quote(damaged.getFileName() + " is damaged: storage ") + "\\w+"
                + Pattern.quote(" records " + flipped + " elements, the pickle says " + count), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legacyFiles")
    void aLegacyFileCutInsideItsLastStorageIsReported(String fixture) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        Path damaged = write(fixture, java.util.Arrays.copyOf(all, all.length - 1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(damaged));
        String regex = Pattern.quote(damaged.getFileName() + " is damaged: storage ") + "\\w+ holds (\\d+) x ([A-Z0-9]+) but only (\\d+)"
                + Pattern.quote(" bytes are left in the file (truncated, or a size was damaged)");
        assertMatches(regex, e.getMessage());
        Matcher m = Pattern.compile(regex).matcher(e.getMessage());
        assertTrue(m.matches());
        long needed = Long.parseLong(m.group(1)) * DType.valueOf(m.group(2)).bytes;
        assertEquals(needed - 1, Long.parseLong(m.group(3)), "bytes left: all of the last storage's but one");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legacyFiles")
    void aFlippedByteInTheLegacyMagicNumberIsReported(String fixture) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        assertEquals("80028a0a", java.util.HexFormat.of().formatHex(all, 0, 4), "PROTO 2, LONG1 of 10 bytes");
        all[8] = (byte) ~all[8];
        Path damaged = write(fixture, all);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(damaged));
        assertMatches(Pattern.quote(damaged.getFileName() + " is damaged: it starts with the number ") + "\\d+"
                + Pattern.quote(" and more pickles, where a torch.save legacy (pre-1.6) format file starts with its magic"
                + " number 0x1950a86a20f9469cfc6c"), e.getMessage());
    }

    // A .npy has no checksum either: a flipped byte in its data is a different value. A flipped byte in its
    // header's shape makes the shape disagree with the data that follows, which the reader reports.

    @ParameterizedTest(name = "{0}")
    @MethodSource("npyFiles")
    void aChangedDigitInANpyShapeIsReported(String fixture) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(fixture));
        int headerStart = all[6] == 1 ? 10 : 12;
        String header = new String(all, headerStart, Math.min(all.length - headerStart, 4096), StandardCharsets.ISO_8859_1);
        int at = headerStart + header.indexOf("'shape': (") + "'shape': (".length();
        char first = (char) all[at];
        assertTrue(first >= '1' && first <= '9', fixture + " has no shape digit to change: " + header.lines().findFirst().orElse(""));
        all[at] = (byte) (first == '9' ? '1' : first + 1); // a larger first dimension: more elements than the data holds
        Path damaged = write(fixture, all);
        assertMatches(Pattern.quote(damaged.getFileName() + ": truncated .npy data: ") + "\\d+ of \\d+"
                + Pattern.quote(" bytes (the file was cut short, or its header's shape (") + "[0-9, ]+"
                + Pattern.quote(") is damaged)"), assertThrows(CheckpointException.class, () -> Npy.read(damaged)).getMessage());
    }

    // ---- fixtures -------------------------------------------------------------------------------------

    /** Every fixture file of the tensor and checkpoint formats, relative to fixtures/ (".gz" dropped). */
    private static List<String> fixtureFiles() throws IOException {
        Path root = Fixtures.path("stylegan2/tiny_g32.pt").getParent().getParent();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/').replaceFirst("\\.gz$", ""))
                    .filter(n -> n.matches(".*\\.(pt|pth|npy|npz)"))
                    .sorted()
                    .toList();
        }
    }

    private static List<String> fixturesOf(FileFormat... formats) throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : fixtureFiles()) if (List.of(formats).contains(CheckpointReader.detect(Fixtures.path(f)))) out.add(f);
        return out;
    }

    static List<String> torchZips() throws IOException {
        return fixturesOf(FileFormat.TORCH_ZIP, FileFormat.TORCHSCRIPT);
    }

    static List<String> npyFiles() throws IOException {
        return fixturesOf(FileFormat.NPY);
    }

    static List<String> legacyFiles() throws IOException {
        return fixturesOf(FileFormat.TORCH_LEGACY);
    }

    // ---- damage ---------------------------------------------------------------------------------------

    /**
     * Where the first storage record's element count (int64 little-endian) is in a legacy file: right after the
     * five pickles (magic, protocol, sys_info, the object, the storage keys), read here as the reader reads them.
     */
    private static int firstStorageCount(byte[] legacy) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(legacy);
        for (int i = 0; i < 3; i++) SafeUnpickler.load(in, TorchGlobals.allowed(false), null);
        SafeUnpickler.load(in, TorchGlobals.allowed(false), pid -> new TensorRef.Storage() {
            @Override
            public DType dtype() {
                return ((TorchGlobals.StorageType) ((Object[]) pid)[1]).dtype();
            }

            @Override
            public long numel() {
                return ((Number) ((Object[]) pid)[4]).longValue();
            }

            @Override
            public ByteBuffer bytes() {
                throw new AssertionError("not read here");
            }
        });
        SafeUnpickler.load(in, Map.of(), null);
        return legacy.length - in.available();
    }

    private Path write(String fixture, byte[] bytes) throws IOException {
        Path copy = tmp.resolve(Path.of(fixture).getFileName());
        Files.write(copy, bytes);
        return copy;
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(Pattern.matches(regex, actual), "'" + actual + "' does not match '" + regex + "'");
    }

    /** A copy of {@code file} in the temporary folder with the middle byte of a stored zip record inverted. */
    private Path flipInTheMiddleOf(Path file, String record) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long size;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(record);
            assertEquals(ZipEntry.STORED, e.getMethod(), record + " is compressed");
            size = e.getSize();
        }
        int at = Math.toIntExact(dataOffset(all, record) + size / 2);
        all[at] = (byte) ~all[at];
        return write(file.getFileName().toString(), all);
    }

    /**
     * Where a record's bytes start in a zip image: after its local header ("PK\3\4", 30 bytes, then the name
     * and the extra field), found by its name.
     */
    private static long dataOffset(byte[] zip, String record) {
        byte[] name = record.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 30; at + name.length <= zip.length; at++) {
            int header = at - 30;
            if (b.getInt(header) != 0x04034b50 || (b.getShort(header + 26) & 0xffff) != name.length) continue;
            if (!ByteBuffer.wrap(zip, at, name.length).equals(ByteBuffer.wrap(name))) continue;
            return at + name.length + (b.getShort(header + 28) & 0xffff);
        }
        throw new AssertionError("no local header for " + record);
    }

    private static String largestDataRecord(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.stream().filter(e -> e.getName().matches("[^/]+/data/\\d+"))
                    .max(Comparator.comparingLong(ZipEntry::getSize)).orElseThrow().getName();
        }
    }

    private static String record(Path file, java.util.function.Predicate<String> which) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.stream().map(ZipEntry::getName).filter(which).findFirst().orElseThrow();
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static Map<String, byte[]> tensorBytes(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Checkpoint.tensors(CheckpointReader.read(file).root()).forEach((k, t) -> out.put(k, bytes(t.read())));
        return out;
    }

    private static byte[] bytes(RawTensor t) {
        ByteBuffer b = t.data();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
