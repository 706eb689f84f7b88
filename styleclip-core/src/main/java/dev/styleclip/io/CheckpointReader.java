package dev.styleclip.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;

/**
 * Reads every checkpoint container the StyleGAN2/CLIP/ArcFace ecosystem publishes, strictly and as data:
 * {@code torch.save} zip archives, the legacy pre-zip format ({@code model_ir_se50.pth}), TorchScript
 * archives (OpenAI's {@code ViT-B-32.pt}: only {@code data.pkl} is read, the code in the archive is
 * ignored), {@code .npy}, {@code .npz} and {@code .safetensors}.
 *
 * <p>Layouts follow torch/serialization.py ({@code _save}, {@code _legacy_save}, {@code _load},
 * {@code _legacy_load}). Any failure becomes a {@link CheckpointException} naming the file.
 */
public final class CheckpointReader {
    /** The legacy format's first pickle: torch.serialization.MAGIC_NUMBER. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private CheckpointReader() {
    }

    /**
     * Reads {@code file} as whichever format {@link #detect} finds. Storages of torch zips and TorchScript
     * archives are read when their tensors are (see {@link TensorRef#read}); the rest is read here.
     */
    public static Checkpoint read(Path file) throws IOException {
        FileFormat format = detect(file);
        try {
            return switch (format) {
                case TORCH_ZIP, TORCHSCRIPT -> readZip(file, format);
                case TORCH_LEGACY, PICKLE -> readLegacy(file);
                case NPY -> new Checkpoint(file, format, asRef(Npy.read(file)));
                case NPZ -> new Checkpoint(file, format, npzRefs(file));
                case SAFETENSORS -> new Checkpoint(file, format, safetensorRefs(file));
            };
        } catch (UncheckedIOException e) {
            // a size that a storage's persistent id gives, refused from inside the unpickler
            if (e.getCause() instanceof CheckpointException named) throw named;
            throw new CheckpointException(file, "cannot read the " + format.description + ": " + e.getMessage(), e);
        } catch (SafeUnpickler.DisallowedGlobalException e) {
            throw new CheckpointException(file, e.getMessage());
        } catch (CheckpointException e) {
            throw e;
        } catch (EOFException e) {
            throw CheckpointException.damaged(file, "the file ends early (truncated " + format.description + ")", e);
        } catch (PickleException | ClassCastException | IllegalArgumentException | ZipException
                 | IndexOutOfBoundsException | IllegalStateException e) {
            throw new CheckpointException(file, "corrupt " + format.description + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read the " + format.description + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // whatever else a damaged file provokes (NegativeArraySizeException, ArithmeticException, ...)
            throw new CheckpointException(file, "corrupt " + format.description + ": " + e, e);
        }
    }

    /**
     * Looks at the first bytes (and a zip's entry names) to tell the format. A directory, a missing or unreadable
     * file, or one that is not a regular file, is a {@link CheckpointException} saying so.
     */
    public static FileFormat detect(Path file) throws IOException {
        InputFiles.requireRegularFile(file);
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 6 && head[0] == (byte) 0x93 && head[1] == 'N' && head[2] == 'U' && head[3] == 'M') return FileFormat.NPY;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K') return zipKind(file);
        if (n >= 2 && head[0] == (byte) 0x80) return FileFormat.TORCH_LEGACY;
        if (n >= 9 && head[8] == '{') return FileFormat.SAFETENSORS;
        throw new CheckpointException(file, n == 0 ? "the file is empty"
                : "not a checkpoint or tensor file this tool reads (torch .pt/.pth, TorchScript, .npy, .npz, .safetensors)");
    }

    private static FileFormat zipKind(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean pkl = false;
            boolean code = false;
            boolean npy = false;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("/data.pkl") || name.equals("data.pkl")) pkl = true;
                if (name.contains("/code/") || name.endsWith("/constants.pkl")) code = true;
                if (name.endsWith(".npy")) npy = true;
            }
            if (pkl) return code ? FileFormat.TORCHSCRIPT : FileFormat.TORCH_ZIP;
            if (npy) return FileFormat.NPZ;
            throw new CheckpointException(file, "a zip archive without data.pkl or .npy entries: not a torch checkpoint");
        } catch (ZipException e) {
            throw new CheckpointException(file, "corrupt or truncated zip archive (" + e.getMessage() + ")", e);
        }
    }

    // ---- torch zip and TorchScript -------------------------------------------------------------------

    private static Checkpoint readZip(Path file, FileFormat format) throws IOException {
        ZipFile zip = new ZipFile(file.toFile());
        try {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("data.pkl") && (name.indexOf('/') == name.lastIndexOf('/'))) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) throw new CheckpointException(file, "zip archive has no top-level data.pkl");
            byte[] pickle = readEntry(zip, file, prefix + "data.pkl");
            String dataDir = prefix + "data/";
            Map<String, IObjectConstructor> allowed = TorchGlobals.allowed(format == FileFormat.TORCHSCRIPT);
            Object root = SafeUnpickler.load(pickle, allowed, pid -> zipStorage(zip, file, dataDir, pid));
            // Storages are read lazily: the zip stays open while a tensor refers to it (ZipFile's own
            // cleaner closes it once nothing does).
            return new Checkpoint(file, format, root);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static byte[] readEntry(ZipFile zip, Path file, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) throw new CheckpointException(file, "archive entry " + name + " is missing");
        return ZipRecords.read(zip, file, entry);
    }

    private static Object zipStorage(ZipFile zip, Path file, String dataDir, Object pid) {
        Object[] t = pidTuple(pid);
        DType dtype = ((TorchGlobals.StorageType) t[1]).dtype();
        String key = String.valueOf(t[2]);
        long numel = ((Number) t[4]).longValue();
        ZipEntry entry = zip.getEntry(dataDir + key);
        if (entry == null) throw new PickleException("storage " + key + " is named in data.pkl but missing from the archive");
        if (entry.getSize() >= 0 && entry.getSize() != numel * dtype.bytes) {
            throw new PickleException("storage " + key + " holds " + entry.getSize() + " bytes, expected "
                    + numel * dtype.bytes + " (" + numel + " x " + dtype + ")");
        }
        return new LazyStorage(dtype, numel, () -> {
            try {
                return ByteBuffer.wrap(readEntry(zip, file, dataDir + key));
            } catch (CheckpointException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            } catch (IOException e) {
                CheckpointException named = new CheckpointException(file, "cannot read storage " + key + ": " + e.getMessage(), e);
                throw new UncheckedIOException(named.getMessage(), named);
            }
        });
    }

    private static Object[] pidTuple(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])
                || !(t[1] instanceof TorchGlobals.StorageType)) {
            throw new PickleException("unexpected persistent id " + pid);
        }
        return t;
    }

    // ---- legacy format --------------------------------------------------------------------------------

    private static Checkpoint readLegacy(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (Position at = new Position(new BufferedInputStream(Files.newInputStream(file), 1 << 20));
             DataInputStream in = new DataInputStream(at)) {
            Map<String, IObjectConstructor> none = Map.of();
            Object first = SafeUnpickler.load(in, TorchGlobals.allowed(false), null, fileSize);
            if (!LEGACY_MAGIC.equals(toBig(first))) {
                if (toBig(first) != null && at.position < fileSize) {
                    throw CheckpointException.damaged(file, "it starts with the number " + first + " and more pickles,"
                            + " where a " + FileFormat.TORCH_LEGACY.description + " file starts with its magic number 0x"
                            + LEGACY_MAGIC.toString(16));
                }
                // A plain pickle (StyleCLIP's S_mean_std, say): its one object is the content.
                return new Checkpoint(file, FileFormat.PICKLE, first);
            }
            Object protocol = SafeUnpickler.load(in, none, null, fileSize);
            if (!(protocol instanceof Number p) || p.intValue() != 1001) {
                throw CheckpointException.damaged(file, "its legacy protocol version is " + protocol + ", torch writes 1001");
            }
            SafeUnpickler.load(in, none, null, fileSize); // sys_info: endianness and type sizes
            Map<String, LegacyStorage> storages = new HashMap<>();
            Object root = SafeUnpickler.load(in, TorchGlobals.allowed(false),
                    pid -> legacyStorage(file, storages, pid), fileSize);
            Object keys = SafeUnpickler.load(in, none, null, fileSize);
            if (!(keys instanceof List<?> keyList)) throw CheckpointException.damaged(file, "the storage key list is missing");
            for (Object k : keyList) readLegacyStorage(file, fileSize, in, at, storages.get(String.valueOf(k)), k);
            for (Map.Entry<String, LegacyStorage> e : storages.entrySet()) {
                if (e.getValue().data == null) {
                    throw CheckpointException.damaged(file, "storage " + e.getKey() + " is used by the pickle but has no data");
                }
            }
            return new Checkpoint(file, FileFormat.TORCH_LEGACY, root);
        }
    }

    /**
     * One storage record after the pickles: its int64 little-endian element count, then its bytes. The count
     * must be the one the pickle gave and fit in what is left of the file, so that a damaged count is reported
     * before anything is allocated for it.
     */
    private static void readLegacyStorage(Path file, long fileSize, DataInputStream in, Position at, LegacyStorage s,
                                          Object key) throws IOException {
        if (s == null) throw CheckpointException.damaged(file, "storage " + key + " is listed but not used by the pickle");
        if (s.data != null) throw CheckpointException.damaged(file, "storage " + key + " is listed twice");
        long count = Long.reverseBytes(in.readLong());
        if (count != s.numel) {
            throw CheckpointException.damaged(file, "storage " + key + " records " + count + " elements, the pickle says " + s.numel);
        }
        long left = fileSize - at.position;
        if (count > left / s.dtype.bytes) {
            throw CheckpointException.damaged(file, "storage " + key + " holds " + count + " x " + s.dtype + " but only "
                    + left + " bytes are left in the file (truncated, or a size was damaged)");
        }
        byte[] data = new byte[Math.toIntExact(count * s.dtype.bytes)];
        in.readFully(data);
        s.data = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Counts the bytes read so far: where the legacy reader is in the file. Follows mark/reset, which the
     * unpickler uses to peek at length prefixes.
     */
    private static final class Position extends FilterInputStream {
        long position;
        private long marked;

        Position(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) position++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }

        @Override
        public synchronized void mark(int readLimit) {
            super.mark(readLimit);
            marked = position;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            position = marked;
        }
    }

    private static BigInteger toBig(Object o) {
        if (o instanceof BigInteger b) return b;
        if (o instanceof Number n) return BigInteger.valueOf(n.longValue());
        return null;
    }

    /**
     * Resolves a persistent id of the legacy pickle to its storage (made on first sight, filled later), checking
     * the sizes it gives against each other; the file's size is checked when the data is read. Called from
     * inside the unpickler, so a damaged size is an UncheckedIOException carrying the CheckpointException,
     * which {@link #read} unwraps.
     */
    private static Object legacyStorage(Path file, Map<String, LegacyStorage> storages, Object pid) {
        Object[] t = pidTuple(pid);
        DType dtype = ((TorchGlobals.StorageType) t[1]).dtype();
        String key = String.valueOf(t[2]);
        long numel = ((Number) t[4]).longValue();
        if (numel < 0) throw damaged(file, "storage " + key + " has a negative size, " + numel);
        LegacyStorage s = storages.computeIfAbsent(key, k -> new LegacyStorage(dtype, numel));
        if (s.dtype != dtype || s.numel != numel) {
            throw damaged(file, "storage " + key + " is named as " + s.numel + " x " + s.dtype + " and as " + numel + " x " + dtype);
        }
        if (t.length > 5 && t[5] instanceof Object[] view) {
            // (view_key, offset, view_size): a slice of the root storage
            long off = ((Number) view[1]).longValue();
            long size = ((Number) view[2]).longValue();
            if (off < 0 || size < 0 || off > numel - size) {
                throw damaged(file, "a view of storage " + key + " at " + off + " of " + size + " elements reaches past its "
                        + numel + " elements");
            }
            return new ViewStorage(s, off, size);
        }
        return s;
    }

    private static UncheckedIOException damaged(Path file, String detail) {
        CheckpointException e = CheckpointException.damaged(file, detail);
        return new UncheckedIOException(e.getMessage(), e);
    }

    // ---- npy / npz / safetensors as tensor maps --------------------------------------------------------

    private static TensorRef asRef(RawTensor raw) {
        return new TensorRef(new LazyStorage(raw.dtype(), raw.numel(), raw::data), 0, raw.shape(),
                contiguousStride(raw.shape()));
    }

    static long[] contiguousStride(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        return stride;
    }

    private static Map<String, TensorRef> npzRefs(Path file) throws IOException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : Npy.readNpz(file).entrySet()) out.put(e.getKey(), asRef(e.getValue()));
        return out;
    }

    private static Map<String, TensorRef> safetensorRefs(Path file) throws IOException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : Safetensors.read(file).entrySet()) out.put(e.getKey(), asRef(e.getValue()));
        return out;
    }

    // ---- storages ---------------------------------------------------------------------------------------

    /**
     * A storage whose bytes come from {@code source} when asked for (a zip entry, an array already read). A
     * zip record is checked each time it is read (size and CRC-32); one that fails is an
     * {@link UncheckedIOException} whose cause is the {@link CheckpointException} naming the file.
     */
    private record LazyStorage(DType dtype, long numel, java.util.function.Supplier<ByteBuffer> source)
            implements TensorRef.Storage {
        @Override
        public ByteBuffer bytes() {
            return source.get().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static final class LegacyStorage implements TensorRef.Storage {
        final DType dtype;
        final long numel;
        ByteBuffer data;

        LegacyStorage(DType dtype, long numel) {
            this.dtype = dtype;
            this.numel = numel;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public long numel() {
            return numel;
        }

        @Override
        public ByteBuffer bytes() {
            return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private record ViewStorage(LegacyStorage base, long offset, long numel) implements TensorRef.Storage {
        @Override
        public DType dtype() {
            return base.dtype;
        }

        @Override
        public ByteBuffer bytes() {
            ByteBuffer b = base.bytes();
            b.position(Math.toIntExact(offset * base.dtype.bytes));
            b.limit(Math.toIntExact((offset + numel) * base.dtype.bytes));
            return b.slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
