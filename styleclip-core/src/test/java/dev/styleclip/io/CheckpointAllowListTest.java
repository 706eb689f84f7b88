package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is data: pickles that name code ({@code os.system}, {@code builtins.eval}) are refused with a
 * message naming the global, before anything is called. Each payload would create a marker file if run.
 */
class CheckpointAllowListTest {
    @TempDir
    Path tmp;
    Path marker;
    String command;

    @BeforeEach
    void setUp() {
        marker = tmp.resolve("pwned");
        command = "touch " + marker;
    }

    /** PROTO 2, GLOBAL 'os\nsystem\n', BINUNICODE command, TUPLE1, REDUCE, STOP: os.system(command). */
    private byte[] osSystemPickle() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        b.writeBytes("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        binunicode(b, command);
        b.write(0x85); // TUPLE1
        b.write('R'); // REDUCE
        b.write('.');
        return b.toByteArray();
    }

    /** Protocol 4: SHORT_BINUNICODE 'builtins', 'eval', STACK_GLOBAL, then eval("__import__('os').system(...)"). */
    private byte[] stackGlobalEvalPickle() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        shortBinunicode(body, "builtins");
        body.write(0x94); // MEMOIZE
        shortBinunicode(body, "eval");
        body.write(0x94);
        body.write(0x93); // STACK_GLOBAL
        body.write(0x94);
        shortBinunicode(body, "__import__('os').system('" + command + "')");
        body.write(0x94);
        body.write(0x85); // TUPLE1
        body.write(0x94);
        body.write('R');
        body.write(0x94);
        body.write('.');
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(4);
        b.write(0x95); // FRAME, 8-byte little-endian length
        long n = body.size();
        for (int i = 0; i < 8; i++) b.write((int) (n >>> (8 * i)) & 0xff);
        b.writeBytes(body.toByteArray());
        return b.toByteArray();
    }

    /** Protocol 0: MARK, STRING command, INST 'os\nsystem\n': the class reference INST makes. */
    private byte[] instPickle() {
        String p = "(S'" + command + "'\nios\nsystem\n.";
        return p.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void zipCheckpointNamingOsSystemIsRefused() throws IOException {
        Path f = zip("evil.pt", Map.of("evil/data.pkl", osSystemPickle(), "evil/version", "3\n".getBytes()));
        assertEquals(FileFormat.TORCH_ZIP, CheckpointReader.detect(f));
        assertRefused(f, "os.system");
    }

    @Test
    void zipCheckpointUsingStackGlobalForBuiltinsEvalIsRefused() throws IOException {
        Path f = zip("evil4.pt", Map.of("evil4/data.pkl", stackGlobalEvalPickle(), "evil4/version", "3\n".getBytes()));
        assertRefused(f, "builtins.eval");
    }

    @Test
    void torchScriptArchiveNamingOsSystemIsRefused() throws IOException {
        // TorchScript archives may name their own __torch__.* classes, nothing else
        Path f = zip("evil_jit.pt", Map.of("evil_jit/data.pkl", osSystemPickle(),
                "evil_jit/code/__torch__.py", "".getBytes(), "evil_jit/version", "3\n".getBytes()));
        assertEquals(FileFormat.TORCHSCRIPT, CheckpointReader.detect(f));
        assertRefused(f, "os.system");
    }

    @Test
    void instOpcodeNamingOsSystemIsRefused() throws IOException {
        Path f = zip("evil0.pt", Map.of("evil0/data.pkl", instPickle(), "evil0/version", "3\n".getBytes()));
        assertRefused(f, "os.system");
    }

    @Test
    void instOpcodeIsRefusedEvenForAnAllowedClass() throws IOException {
        byte[] p = "(icollections\nOrderedDict\n.".getBytes(StandardCharsets.US_ASCII);
        Path f = zip("inst.pt", Map.of("inst/data.pkl", p, "inst/version", "3\n".getBytes()));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().startsWith("inst.pt: refused pickle opcode 0x69 naming 'collections.OrderedDict'"),
                e.getMessage());
    }

    @Test
    void legacyCheckpointNamingOsSystemInItsObjectPickleIsRefused() throws IOException {
        // a well-formed legacy header (magic, protocol 1001, sys_info), then the payload as the object pickle
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new PickleWriter().proto2().bigInteger(TorchWriter.LEGACY_MAGIC).stop().toByteArray());
        b.writeBytes(new PickleWriter().proto2().integer(TorchWriter.LEGACY_PROTOCOL).stop().toByteArray());
        b.writeBytes(new PickleWriter().proto2().op(PickleWriter.EMPTY_DICT).stop().toByteArray());
        b.writeBytes(osSystemPickle());
        b.writeBytes(new PickleWriter().proto2().op(PickleWriter.EMPTY_LIST).stop().toByteArray());
        Path f = tmp.resolve("evil_legacy.pth");
        Files.write(f, b.toByteArray());
        assertEquals(FileFormat.TORCH_LEGACY, CheckpointReader.detect(f));
        assertRefused(f, "os.system");
    }

    @Test
    void legacyLookingFileWhoseFirstPickleIsThePayloadIsRefused() throws IOException {
        Path f = tmp.resolve("evil_first.pth");
        Files.write(f, osSystemPickle());
        assertEquals(FileFormat.TORCH_LEGACY, CheckpointReader.detect(f));
        assertRefused(f, "os.system");
    }

    @Test
    void legacyCheckpointUsingStackGlobalIsRefused() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new PickleWriter().proto2().bigInteger(TorchWriter.LEGACY_MAGIC).stop().toByteArray());
        b.writeBytes(new PickleWriter().proto2().integer(TorchWriter.LEGACY_PROTOCOL).stop().toByteArray());
        b.writeBytes(new PickleWriter().proto2().op(PickleWriter.EMPTY_DICT).stop().toByteArray());
        b.writeBytes(stackGlobalEvalPickle());
        Path f = tmp.resolve("evil_legacy4.pth");
        Files.write(f, b.toByteArray());
        assertRefused(f, "builtins.eval");
    }

    @Test
    void allowedGlobalsStillLoad() throws IOException {
        // the same container with a harmless, allowed pickle reads fine: the refusal is about the global
        Path f = tmp.resolve("fine.pt");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("w", RawTensor.ofFloats(new float[] {1, 2}, 2));
        TorchWriter.writeZip(f, new TorchWriter.OrderedDict(root));
        assertEquals(1, Checkpoint.tensors(CheckpointReader.read(f).root()).size());
    }

    private void assertRefused(Path f, String global) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(f.getFileName() + ": "), msg);
        assertTrue(msg.contains("'" + global + "'"), "names the global: " + msg);
        assertTrue(msg.contains("refused"), msg);
        assertFalse(Files.exists(marker), "the payload ran");
    }

    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path f = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return f;
    }

    private static void binunicode(ByteArrayOutputStream b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.write('X');
        for (int i = 0; i < 4; i++) b.write((u.length >>> (8 * i)) & 0xff);
        b.writeBytes(u);
    }

    private static void shortBinunicode(ByteArrayOutputStream b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.write(0x8c);
        b.write(u.length);
        b.writeBytes(u);
    }
}
