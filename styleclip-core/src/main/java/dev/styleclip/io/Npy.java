package dev.styleclip.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * NumPy's {@code .npy} (format versions 1-3) and {@code .npz} files. Little-endian, C order; big-endian,
 * Fortran-order and object arrays are refused with a message. Writing is atomic (a temporary file renamed
 * into place), so an interrupted write never leaves a half-written array.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static RawTensor read(Path file) throws IOException {
        InputFiles.requireReadable(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }

    /**
     * Parses a whole .npy image, strictly: the magic, a format version numpy writes (1.0 to 3.0), a dtype this
     * tool reads, a shape of non-negative integers, and exactly as many data bytes as the shape needs.
     * IllegalArgumentException says, in one line, what is wrong.
     */
    public static RawTensor parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new IllegalArgumentException("not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new IllegalArgumentException("not a .npy file (bad magic: it does not start with \\x93NUMPY)");
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        if (major < 1 || major > 3) {
            throw new IllegalArgumentException("unsupported .npy format version " + major + "." + minor + " (numpy writes 1.0 to 3.0)");
        }
        b.position(8);
        long headerLen = major == 1 ? (b.getShort() & 0xffff) : (b.getInt() & 0xffffffffL);
        int start = b.position();
        if (start + headerLen > bytes.length) throw new IllegalArgumentException("truncated .npy header");
        String header = new String(bytes, start, (int) headerLen,
                major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr");
        DType dtype = DType.fromNpyDescr(descr);
        if (dtype == null) throw new IllegalArgumentException("unsupported .npy dtype '" + descr + "' (little-endian numeric only)");
        if ("True".equals(find(FORTRAN, header, "fortran_order"))) {
            throw new IllegalArgumentException("Fortran-order .npy arrays are not supported; save with np.ascontiguousarray");
        }
        String shapeText = "(" + find(SHAPE, header, "shape") + ")";
        long[] shape = parseShape(shapeText);
        long need = dataBytes(shapeText, shape, dtype);
        int dataStart = (int) (start + headerLen);
        long have = bytes.length - dataStart;
        if (have < need) {
            throw new IllegalArgumentException("truncated .npy data: " + have + " of " + need + " bytes (the file was cut short,"
                    + " or its header's shape " + shapeText + " is damaged)");
        }
        if (have > need) {
            throw new IllegalArgumentException("the header's shape " + shapeText + " of " + dtype + " needs " + need
                    + " bytes of data but " + have + " follow it (the header is damaged, or other data was appended)");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice();
        return new RawTensor(dtype, shape, data);
    }

    private static String find(Pattern p, String header, String what) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IllegalArgumentException(".npy header has no '" + what + "'");
        return m.group(1);
    }

    /**
     * A Python tuple of non-negative ints, as numpy writes it: "()", "(5,)", "(2, 3)" (Python 2's "3L" too).
     * {@code text} is the tuple with its parentheses, for messages.
     */
    private static long[] parseShape(String text) {
        String inside = text.substring(1, text.length() - 1).trim();
        if (inside.isEmpty()) return new long[0];
        String[] parts = inside.split(",", -1);
        int n = parts[parts.length - 1].isBlank() && parts.length > 1 ? parts.length - 1 : parts.length; // "(5,)"
        long[] dims = new long[n];
        for (int i = 0; i < n; i++) {
            String t = parts[i].trim();
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1);
            if (t.matches("-\\d+")) {
                throw new IllegalArgumentException("the header's shape " + text + " has a negative entry, " + t);
            }
            if (!t.matches("\\d+")) {
                throw new IllegalArgumentException("the header's shape " + text + " has an entry that is not an integer: '" + t + "'");
            }
            try {
                dims[i] = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the header's shape " + text + " has an entry too large for any array, " + t);
            }
        }
        return dims;
    }

    /** The bytes the shape needs; one whose element count overflows is refused, as no file could hold it. */
    private static long dataBytes(String shapeText, long[] shape, DType dtype) {
        try {
            long n = dtype.bytes;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the header's shape " + shapeText + " holds more elements than any file could");
        }
    }

    /**
     * Every array of an .npz archive, keyed by name without ".npy", in archive order; each record is held
     * to the archive's CRC-32 (see {@link ZipRecords}).
     */
    public static Map<String, RawTensor> readNpz(Path file) throws IOException {
        InputFiles.requireRegularFile(file);
        Map<String, RawTensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!entry.getName().endsWith(".npy")) continue;
                String name = entry.getName().substring(0, entry.getName().length() - 4);
                byte[] npy = ZipRecords.read(zip, file, entry);
                try {
                    out.put(name, parse(npy));
                } catch (IllegalArgumentException ex) {
                    throw new CheckpointException(file, "array '" + name + "': " + ex.getMessage());
                }
            }
        } catch (ZipException e) {
            throw new CheckpointException(file, "corrupt .npz archive (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The bytes of a version-1 .npy file for this tensor. */
    public static byte[] encode(RawTensor t) {
        if (t.dtype().npyDescr == null) throw new IllegalArgumentException(t.dtype() + " has no numpy equivalent");
        StringBuilder shape = new StringBuilder("(");
        long[] dims = t.shape();
        for (int i = 0; i < dims.length; i++) shape.append(dims[i]).append(i == 0 && dims.length == 1 ? "," : i < dims.length - 1 ? ", " : "");
        shape.append(")");
        String dict = "{'descr': '" + t.dtype().npyDescr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = t.data();
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        out.writeBytes(raw);
        return out.toByteArray();
    }

    /** Writes atomically: to a temporary file beside the target, then renamed into place. */
    public static void write(Path file, RawTensor t) throws IOException {
        AtomicFiles.write(file, Npy.encode(t));
    }

    /**
     * Writes arrays as an {@code .npz} archive as {@code numpy.savez} does (one stored, uncompressed zip record
     * {@code <name>.npy} per array, in the map's order), atomically; {@code numpy.load} and {@link #readNpz} read it.
     */
    public static void writeNpz(Path file, Map<String, RawTensor> arrays) throws IOException {
        AtomicFiles.write(file, out -> {
            java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out);
            for (Map.Entry<String, RawTensor> e : arrays.entrySet()) {
                byte[] npy = encode(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(npy);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                entry.setCompressedSize(npy.length);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
            zip.finish(); // the stream itself is closed by AtomicFiles
        });
    }
}
