package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files: every one gives a {@link CheckpointException} whose message starts with the file name and
 * says what is wrong, never another exception type.
 */
class CorruptCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void zipCutInHalf() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(TorchWriterTest.G32));
        Path f = write("tiny_g32_half.pt", Arrays.copyOf(all, all.length / 2));
        assertFails(f, "corrupt or truncated zip");
    }

    @Test
    void zipWithItsCentralDirectoryButTruncatedEntries() throws IOException {
        // keep the end (central directory) but drop the middle: entries point past what is there
        byte[] all = Files.readAllBytes(Fixtures.path(TorchWriterTest.G32));
        byte[] cut = new byte[all.length / 2];
        System.arraycopy(all, 0, cut, 0, cut.length / 2);
        System.arraycopy(all, all.length - (cut.length - cut.length / 2), cut, cut.length / 2, cut.length - cut.length / 2);
        assertFails(write("tiny_g32_holed.pt", cut), "corrupt|truncated");
    }

    @Test
    void legacyCutAtSixtyPercent() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(TorchWriterTest.IR_SE));
        Path f = write("tiny_ir_se_60.pth", Arrays.copyOf(all, all.length * 6 / 10));
        assertFails(f, "ends early|truncated");
    }

    @Test
    void legacyCutAtTenBytes() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path(TorchWriterTest.IR_SE));
        Path f = write("tiny_ir_se_10.pth", Arrays.copyOf(all, 10));
        assertFails(f, "ends early|truncated");
    }

    @Test
    void legacyCutAtEveryPickleBoundaryAndInside() throws IOException {
        // cuts inside the header pickles and the object pickle: each one is reported as the file ending early
        byte[] all = Files.readAllBytes(Fixtures.path(TorchWriterTest.IR_SE));
        for (int n = 2; n < 2048; n += 11) assertFails(write("cut.pth", Arrays.copyOf(all, n)), "file ends early");
    }

    @Test
    void legacyWithoutStorageData() throws IOException {
        // all five pickles, no storage bytes at all
        Path full = tmp.resolve("full.pth");
        TorchWriter.writeLegacy(full, java.util.Map.of("w", RawTensor.ofFloats(new float[] {1, 2, 3}, 3)));
        byte[] all = Files.readAllBytes(full);
        assertFails(write("no_data.pth", Arrays.copyOf(all, all.length - 3 * 4 - 8)), "ends early|truncated");
    }

    @Test
    void legacyStorageClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        int n = 70_000; // pickled as BININT, so the element count can be patched in place
        Path full = tmp.resolve("full.pth");
        TorchWriter.writeLegacy(full, java.util.Map.of("w", RawTensor.ofFloats(new float[n], n)));
        byte[] all = Files.readAllBytes(full);
        int huge = 1 << 28; // 1 GiB of float32
        byte[] pid = "X\u0003\u0000\u0000\u0000cpuJ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = indexOf(all, pid) + pid.length;
        assertEquals(n, ByteBuffer.wrap(all, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(), "numel in the persistent id");
        ByteBuffer.wrap(all, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(huge);
        int count = all.length - 4 * n - 8;
        assertEquals(n, ByteBuffer.wrap(all, count, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), "element count");
        ByteBuffer.wrap(all, count, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(huge);
        assertFails(write("huge.pth", all), "storage 0 holds 268435456 x FLOAT32 but only \\d+ bytes are left");
    }

    @Test
    void legacyStorageWithANegativeSizeInItsPersistentIdIsNamedAsDamage() throws IOException {
        int n = 70_000; // pickled as BININT, a signed int32 that can be patched in place
        Path full = tmp.resolve("full.pth");
        TorchWriter.writeLegacy(full, java.util.Map.of("w", RawTensor.ofFloats(new float[n], n)));
        byte[] all = Files.readAllBytes(full);
        byte[] pid = "X\u0003\u0000\u0000\u0000cpuJ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer.wrap(all, indexOf(all, pid) + pid.length, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        assertFails(write("negative.pth", all), "^negative\\.pth is damaged: storage 0 has a negative size, -1$");
    }

    @Test
    void emptyFile() throws IOException {
        assertFails(write("empty.pt", new byte[0]), "empty");
    }

    @Test
    void randomBytes() throws IOException {
        Random r = new Random(20240229);
        byte[] junk = new byte[4096];
        r.nextBytes(junk);
        junk[0] = 0x13; // not a magic of any format
        assertFails(write("random.pt", junk), "not a checkpoint");
        for (int seed = 0; seed < 100; seed++) {
            r = new Random(seed);
            r.nextBytes(junk);
            junk[0] = (byte) 0x80; // looks like a pickle: parsed as a legacy checkpoint
            assertFails(write("random_pickle.pth", junk), ".");
            junk[1] = 2;
            assertFails(write("random_pickle2.pth", junk), ".");
            junk[0] = 'P';
            junk[1] = 'K';
            junk[2] = 3;
            junk[3] = 4;
            assertFails(write("random_zip.pt", junk), "corrupt|zip");
        }
    }

    @Test
    void npyWithTruncatedData() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path("stylegan2/latent_avg.npy"));
        Path f = write("latent_avg_cut.npy", Arrays.copyOf(all, all.length - 10));
        assertFails(f, "truncated \\.npy data");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith("latent_avg_cut.npy: truncated .npy data"), e.getMessage());
    }

    @Test
    void npyWithTruncatedHeader() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.path("stylegan2/latent_avg.npy"));
        assertFails(write("header_cut.npy", Arrays.copyOf(all, 40)), "truncated \\.npy header");
    }

    @Test
    void npyWithANegativeShapeEntry() throws IOException {
        assertNpyRefused("(3, -1)", "<f4", 12, "negative.npy: the header's shape (3, -1) has a negative entry, -1");
    }

    @Test
    void npyWithANonIntegerShapeEntry() throws IOException {
        assertNpyRefused("(3, 2.5)", "<f4", 12, "fraction.npy: the header's shape (3, 2.5) has an entry that is not an integer: '2.5'");
        assertNpyRefused("(3, , 2)", "<f4", 24, "gap.npy: the header's shape (3, , 2) has an entry that is not an integer: ''");
    }

    @Test
    void npyWithAShapeEntryTooLargeForAnyArray() throws IOException {
        assertNpyRefused("(99999999999999999999,)", "<f4", 4,
                "overflow.npy: the header's shape (99999999999999999999,) has an entry too large for any array, 99999999999999999999");
        assertNpyRefused("(4294967296, 4294967296)", "<f4", 4,
                "product.npy: the header's shape (4294967296, 4294967296) holds more elements than any file could");
    }

    @Test
    void npyWhoseShapeDoesNotMatchItsData() throws IOException {
        assertNpyRefused("(2, 3)", "<f4", 28, "longer.npy: the header's shape (2, 3) of FLOAT32 needs 24 bytes of data"
                + " but 28 follow it (the header is damaged, or other data was appended)");
        assertNpyRefused("(2, 3)", "<f4", 20, "shorter.npy: truncated .npy data: 20 of 24 bytes (the file was cut short,"
                + " or its header's shape (2, 3) is damaged)");
    }

    @Test
    void npyWithADtypeThisToolDoesNotRead() throws IOException {
        assertNpyRefused("(2,)", "<c8", 16, "complex.npy: unsupported .npy dtype '<c8' (little-endian numeric only)");
        assertNpyRefused("(2,)", ">f4", 8, "big_endian.npy: unsupported .npy dtype '>f4' (little-endian numeric only)");
    }

    @Test
    void npyWithABadMagicOrVersion() throws IOException {
        byte[] good = Npy.encode(RawTensor.ofFloats(new float[] {1, 2}, 2));
        byte[] magic = good.clone();
        magic[1] = 'n';
        Path f = write("magic.npy", magic);
        assertEquals("magic.npy: not a .npy file (bad magic: it does not start with \\x93NUMPY)",
                assertThrows(CheckpointException.class, () -> Npy.read(f)).getMessage());
        assertFails(f, "not a checkpoint or tensor file this tool reads"); // by its first bytes, it is no format at all
        byte[] version = good.clone();
        version[6] = 9;
        assertNpyRefused(write("version.npy", version), "version.npy: unsupported .npy format version 9.0 (numpy writes 1.0 to 3.0)");
    }

    /** A version-1.0 .npy with this shape text and descr, followed by {@code dataBytes} zero bytes. */
    private void assertNpyRefused(String shape, String descr, int dataBytes, String expected) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        String header = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertNpyRefused(write(expected.substring(0, expected.indexOf(':')), b.array()), expected);
    }

    /** Npy.read and CheckpointReader.read both refuse {@code f} with exactly {@code expected}. */
    private static void assertNpyRefused(Path f, String expected) {
        assertEquals(expected, assertThrows(CheckpointException.class, () -> Npy.read(f)).getMessage());
        assertFails(f, "^" + Pattern.quote(expected) + "$");
    }

    @Test
    void missingFile() {
        assertFails(tmp.resolve("nowhere.pt"), "no such file");
    }

    /**
     * Reads {@code f}, expecting a CheckpointException "&lt;name&gt;: ..." or "&lt;name&gt; is damaged: ..." whose
     * message matches {@code what}.
     */
    private static void assertFails(Path f, String what) {
        try {
            Checkpoint c = CheckpointReader.read(f);
            // a corrupt file may parse; then reading its tensors must still fail cleanly or succeed
            fail(f.getFileName() + " was read as " + c.format() + " " + Checkpoint.describe(c.root()));
        } catch (CheckpointException e) {
            String msg = e.getMessage();
            assertTrue(msg.startsWith(f.getFileName() + ": ") || msg.startsWith(f.getFileName() + " is damaged: "), msg);
            assertTrue(Pattern.compile(what).matcher(msg).find(), "'" + what + "' in: " + msg);
            assertEquals(CheckpointException.class, e.getClass());
        } catch (Throwable t) {
            throw new AssertionError(f.getFileName() + ": " + t.getClass().getName() + " leaked: " + t.getMessage(), t);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }
}
