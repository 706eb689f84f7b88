package dev.styleclip.io;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes files that {@code torch.load} reads, from a Java object tree: the counterpart of
 * {@link CheckpointReader}. Two layouts, as torch/serialization.py writes them:
 * <ul>
 *   <li>{@link #writeZip}: the default zip archive of {@code torch.save} (PyTorch 1.6 and later), with
 *   {@code <stem>/data.pkl}, {@code <stem>/byteorder}, one {@code <stem>/data/<key>} entry per storage and
 *   {@code <stem>/version}; entries are stored uncompressed and each payload starts on a 64-byte boundary,
 *   padded through the local header's extra field exactly as torch's own writer does (an "FB" field of 'Z's);</li>
 *   <li>{@link #writeLegacy}: the pre-1.6 format ({@code _use_new_zipfile_serialization=False}): the magic
 *   number, protocol 1001 and sys_info pickles, the object pickle, the sorted storage keys, then each storage
 *   as an int64 element count and its raw bytes.</li>
 * </ul>
 *
 * <p>The tree may hold: {@link Map}s with string (or other writable) keys, written as plain dicts;
 * {@link OrderedDict}, written as {@code collections.OrderedDict} (what a state_dict is), optionally with
 * torch's {@code _metadata}; {@link String}, {@link Integer}, {@link Long} (and other integral types,
 * {@link BigInteger}), {@link Double} (and {@link Float}), {@link Boolean}, {@code null} (None),
 * {@link List} (list), {@code Object[]} (tuple), {@code byte[]} (bytes) and tensors: {@link RawTensor}, or
 * a {@link TensorRef} as {@link CheckpointReader} returns it (read and written contiguous). What the reader
 * returns for a state dict ({@code collections.OrderedDict} with its {@code _metadata}) is written back as
 * it was read, so {@code writeZip(out, CheckpointReader.read(in).root())} converts between the layouts.
 * Each tensor gets its own storage, except that the same {@link RawTensor} instance named twice shares one.
 * Tensors are written as CPU tensors with {@code requires_grad=False}.
 *
 * <p>Writes are atomic ({@link AtomicFiles}): a temporary file beside the target, renamed into place when
 * complete, so an interrupted write never leaves a half-written checkpoint.
 */
public final class TorchWriter {
    /** torch.serialization.MAGIC_NUMBER, the legacy format's first pickle. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** torch.serialization.PROTOCOL_VERSION. */
    static final int LEGACY_PROTOCOL = 1001;
    /** The zip format version torch writes in {@code <stem>/version} (kProducedFileFormatVersion). */
    static final String ZIP_VERSION = "3\n";
    /** Payload alignment of torch's zip writer (kFieldAlignment). */
    static final int ALIGNMENT = 64;
    /**
     * A fixed entry time, so that equal trees give equal bytes. Not 1980-01-01 00:00, which ZipEntry takes
     * for "before 1980" and then adds an extended-timestamp extra field that would shift the alignment.
     */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private TorchWriter() {
    }

    /**
     * Marks a map to be written as {@code collections.OrderedDict} (a state_dict), in the map's iteration
     * order. {@code metadata}, if not null, becomes the dict's {@code _metadata} attribute, as
     * {@code Module.state_dict()} sets it (per-module {'version': n} dicts, keyed by module prefix).
     */
    public record OrderedDict(Map<?, ?> items, Map<?, ?> metadata) {
        public OrderedDict {
            Objects.requireNonNull(items, "items");
        }

        public OrderedDict(Map<?, ?> items) {
            this(items, null);
        }
    }

    /** Writes {@code root} as {@code torch.save(root, file)} does by default (zip archive). */
    public static void writeZip(Path file, Object root) throws IOException {
        Pickled p = pickle(root, false);
        String stem = archiveName(file);
        AtomicFiles.write(file, out -> writeArchive(out, stem, p));
    }

    /** Writes {@code root} as {@code torch.save(root, file, _use_new_zipfile_serialization=False)} does. */
    public static void writeLegacy(Path file, Object root) throws IOException {
        Pickled p = pickle(root, true);
        AtomicFiles.write(file, out -> writeLegacyTo(out, p));
    }

    // ---- pickling ---------------------------------------------------------------------------------------

    /** One storage: its key in the file, element type, element count and bytes. */
    private record Storage(String key, DType dtype, long numel, ByteBuffer data) {
    }

    /** The object pickle and the storages it names, in the order first named. */
    private record Pickled(byte[] pickle, List<Storage> storages) {
    }

    private static Pickled pickle(Object root, boolean legacy) {
        Emitter e = new Emitter(legacy);
        e.w.proto2();
        e.save(root, "<root>");
        e.w.stop();
        return new Pickled(e.w.toByteArray(), e.storages);
    }

    private static final class Emitter {
        final PickleWriter w = new PickleWriter();
        final boolean legacy;
        final List<Storage> storages = new ArrayList<>();
        final IdentityHashMap<RawTensor, Storage> byTensor = new IdentityHashMap<>();
        final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();

        Emitter(boolean legacy) {
            this.legacy = legacy;
        }

        void save(Object o, String path) {
            if (o == null) {
                w.op(PickleWriter.NONE);
            } else if (o instanceof Boolean b) {
                w.bool(b);
            } else if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
                w.integer(((Number) o).longValue());
            } else if (o instanceof BigInteger b) {
                w.bigInteger(b);
            } else if (o instanceof Double || o instanceof Float) {
                w.floating(((Number) o).doubleValue());
            } else if (o instanceof String s) {
                w.string(s);
            } else if (o instanceof byte[] b) {
                // Python 3 bytes at protocol 2: _codecs.encode(latin-1 text, 'latin1')
                w.global("_codecs", "encode");
                w.string(new String(b, StandardCharsets.ISO_8859_1));
                w.string("latin1");
                w.tupleEnd(2);
                w.op(PickleWriter.REDUCE);
            } else if (o instanceof RawTensor t) {
                tensor(t);
            } else if (o instanceof TensorRef t) {
                tensor(t.read());
            } else if (o instanceof OrderedDict d) {
                orderedDict(d.items(), d.metadata(), path, o);
            } else if (o instanceof SafeUnpickler.PyOrderedDict d) {
                orderedDict(d, d.metadata() instanceof Map<?, ?> m ? m : null, path, o);
            } else if (o instanceof Map<?, ?> m) {
                enter(o, path);
                w.op(PickleWriter.EMPTY_DICT);
                setItems(m, path);
                open.remove(o);
            } else if (o instanceof List<?> l) {
                enter(o, path);
                w.op(PickleWriter.EMPTY_LIST);
                appends(l, path);
                open.remove(o);
            } else if (o instanceof Object[] t) {
                enter(o, path);
                tuple(path, t);
                open.remove(o);
            } else {
                throw new IllegalArgumentException("cannot write " + path + ": " + Checkpoint.describe(o)
                        + " is not a type this writer knows (dict, OrderedDict, list, tuple, str, int, float, bool,"
                        + " None, bytes, tensor)");
            }
        }

        private void enter(Object container, String path) {
            if (open.put(container, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("cannot write " + path + ": the tree contains itself");
            }
        }

        private void tuple(String path, Object[] items) {
            if (PickleWriter.tupleNeedsMark(items.length)) w.op(PickleWriter.MARK);
            for (int i = 0; i < items.length; i++) save(items[i], path + "[" + i + "]");
            w.tupleEnd(items.length);
        }

        /** collections.OrderedDict as OrderedDict.__reduce__ gives it: (cls, (), state, None, items). */
        private void orderedDict(Map<?, ?> items, Map<?, ?> metadata, String path, Object marker) {
            enter(marker, path);
            w.global("collections", "OrderedDict");
            w.tupleEnd(0);
            w.op(PickleWriter.REDUCE);
            setItems(items, path);
            if (metadata != null) {
                // Python's pickler writes the instance __dict__ as BUILD state after the items.
                w.op(PickleWriter.EMPTY_DICT);
                w.string("_metadata");
                orderedDict(metadata, null, path + "._metadata", metadata);
                w.op(PickleWriter.SETITEM);
                w.op(PickleWriter.BUILD);
            }
            open.remove(marker);
        }

        private void setItems(Map<?, ?> m, String path) {
            if (m.isEmpty()) return;
            boolean single = m.size() == 1;
            if (!single) w.op(PickleWriter.MARK);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String childPath = path + "[" + (e.getKey() instanceof String s ? "'" + s + "'" : e.getKey()) + "]";
                Object k = e.getKey();
                if (k instanceof Map || k instanceof List || k instanceof RawTensor || k instanceof TensorRef) {
                    throw new IllegalArgumentException("cannot write " + childPath + ": a dict key must be hashable");
                }
                save(k, childPath);
                save(e.getValue(), childPath);
            }
            w.op(single ? PickleWriter.SETITEM : PickleWriter.SETITEMS);
        }

        private void appends(List<?> l, String path) {
            if (l.isEmpty()) return;
            boolean single = l.size() == 1;
            if (!single) w.op(PickleWriter.MARK);
            for (int i = 0; i < l.size(); i++) save(l.get(i), path + "[" + i + "]");
            w.op(single ? PickleWriter.APPEND : PickleWriter.APPENDS);
        }

        /**
         * torch.Tensor.__reduce_ex__: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
         * OrderedDict()) with the storage as a persistent id.
         */
        private void tensor(RawTensor t) {
            Storage s = byTensor.get(t);
            if (s == null) {
                s = new Storage(Integer.toString(storages.size()), t.dtype(), t.numel(), t.data());
                storages.add(s);
                byTensor.put(t, s);
            }
            long[] shape = t.shape();
            w.global("torch._utils", "_rebuild_tensor_v2");
            w.op(PickleWriter.MARK); // six arguments
            persistentId(s);
            w.integer(0);
            longTuple(shape);
            longTuple(CheckpointReader.contiguousStride(shape));
            w.bool(false);
            w.global("collections", "OrderedDict");
            w.tupleEnd(0);
            w.op(PickleWriter.REDUCE);
            w.tupleEnd(6);
            w.op(PickleWriter.REDUCE);
        }

        /** ('storage', torch.XStorage, key, 'cpu', numel) for zip; legacy adds view_metadata None. */
        private void persistentId(Storage s) {
            w.op(PickleWriter.MARK);
            w.string("storage");
            w.global("torch", s.dtype().torchStorage);
            w.string(s.key());
            w.string("cpu");
            w.integer(s.numel());
            if (legacy) w.op(PickleWriter.NONE);
            w.tupleEnd(legacy ? 6 : 5);
            w.op(PickleWriter.BINPERSID);
        }

        private void longTuple(long[] values) {
            if (PickleWriter.tupleNeedsMark(values.length)) w.op(PickleWriter.MARK);
            for (long v : values) w.integer(v);
            w.tupleEnd(values.length);
        }
    }

    // ---- zip archive ------------------------------------------------------------------------------------

    /** The archive's top folder: the file name without its extension, as torch 1.x names it. */
    static String archiveName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.isEmpty() ? "archive" : stem;
    }

    private static void writeArchive(OutputStream target, String stem, Pickled p) throws IOException {
        CountingOutputStream counted = new CountingOutputStream(target);
        // closing the zip stream finishes the archive; the counter's close() only flushes (AtomicFiles owns
        // the file stream)
        try (ZipOutputStream zip = new ZipOutputStream(counted, StandardCharsets.UTF_8)) {
            zip.setMethod(ZipOutputStream.STORED);
            storedEntry(zip, counted, stem + "/data.pkl", ByteBuffer.wrap(p.pickle()));
            storedEntry(zip, counted, stem + "/byteorder", ascii("little"));
            for (Storage s : p.storages()) storedEntry(zip, counted, stem + "/data/" + s.key(), s.data());
            storedEntry(zip, counted, stem + "/version", ascii(ZIP_VERSION));
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * One uncompressed entry whose payload starts at a multiple of {@link #ALIGNMENT}: the local header's
     * extra field is an "FB" block padded with 'Z's to reach the boundary (torch's getPadding()).
     */
    private static void storedEntry(ZipOutputStream zip, CountingOutputStream counted, String name, ByteBuffer data)
            throws IOException {
        ByteBuffer bytes = data.duplicate();
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.remaining());
        e.setCompressedSize(bytes.remaining());
        e.setCrc(crc.getValue());
        e.setTimeLocal(ENTRY_TIME);
        // The local header (30 bytes + name + extra) is written at the current offset: nothing is buffered
        // between the ZipOutputStream and the counter for stored entries.
        long start = counted.count() + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int pad = (int) ((ALIGNMENT - start % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[4 + pad];
        Arrays.fill(extra, (byte) 'Z');
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        writeBuffer(zip, bytes);
        zip.closeEntry();
    }

    private static void writeBuffer(OutputStream out, ByteBuffer b) throws IOException {
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            return;
        }
        ByteBuffer d = b.duplicate();
        byte[] chunk = new byte[1 << 16];
        while (d.hasRemaining()) {
            int n = Math.min(chunk.length, d.remaining());
            d.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Counts the bytes written through it, so that entry offsets are known. */
    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush(); // the underlying stream belongs to AtomicFiles
        }
    }

    // ---- legacy format ----------------------------------------------------------------------------------

    private static void writeLegacyTo(OutputStream out, Pickled p) throws IOException {
        out.write(new PickleWriter().proto2().bigInteger(LEGACY_MAGIC).stop().toByteArray());
        out.write(new PickleWriter().proto2().integer(LEGACY_PROTOCOL).stop().toByteArray());
        out.write(sysInfo());
        out.write(p.pickle());
        // torch sorts the storage keys as strings ("0", "1", "10", "2", ...) and writes the data in that order
        List<Storage> sorted = new ArrayList<>(p.storages());
        sorted.sort((a, b) -> a.key().compareTo(b.key()));
        PickleWriter keys = new PickleWriter().proto2();
        keys.op(PickleWriter.EMPTY_LIST);
        if (sorted.size() > 1) keys.op(PickleWriter.MARK);
        for (Storage s : sorted) keys.string(s.key());
        if (!sorted.isEmpty()) keys.op(sorted.size() > 1 ? PickleWriter.APPENDS : PickleWriter.APPEND);
        out.write(keys.stop().toByteArray());
        ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Storage s : sorted) {
            count.clear();
            count.putLong(s.numel());
            out.write(count.array());
            writeBuffer(out, s.data());
        }
    }

    /** {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}. */
    private static byte[] sysInfo() {
        PickleWriter w = new PickleWriter().proto2();
        w.op(PickleWriter.EMPTY_DICT).op(PickleWriter.MARK);
        w.string("protocol_version").integer(LEGACY_PROTOCOL);
        w.string("little_endian").bool(true);
        w.string("type_sizes").op(PickleWriter.EMPTY_DICT).op(PickleWriter.MARK);
        w.string("short").integer(2).string("int").integer(4).string("long").integer(4);
        w.op(PickleWriter.SETITEMS);
        w.op(PickleWriter.SETITEMS);
        return w.stop().toByteArray();
    }
}
