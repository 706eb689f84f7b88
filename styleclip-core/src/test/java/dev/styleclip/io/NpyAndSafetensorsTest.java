package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy .npy encode/parse, fixture .npy files, and hand-written .safetensors files. */
class NpyAndSafetensorsTest {
    @TempDir
    Path tmp;

    static final long[][] SHAPES = {{}, {3}, {2, 3, 4}};

    @Test
    void npyRoundTripFloat32() throws IOException {
        for (long[] shape : SHAPES) {
            int n = (int) RawTensor.numel(shape);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = i * 0.25f - 1.5f;
            v[0] = Float.intBitsToFloat(0x7fc00001); // a NaN payload survives
            RawTensor t = RawTensor.ofFloats(v, shape);
            assertNpyRoundTrip(t);
        }
    }

    @Test
    void npyRoundTripInt64() throws IOException {
        for (long[] shape : SHAPES) {
            int n = (int) RawTensor.numel(shape);
            ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putLong(i == 0 ? Long.MIN_VALUE : (long) i * 1_000_000_007L);
            b.flip();
            assertNpyRoundTrip(new RawTensor(DType.INT64, shape, b));
        }
    }

    private void assertNpyRoundTrip(RawTensor t) throws IOException {
        byte[] bytes = Npy.encode(t);
        // numpy's layout: magic, version 1.0, header padded with spaces to a multiple of 64, ending in \n
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64);
        assertEquals('\n', bytes[10 + headerLen - 1]);
        String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
        String shape = t.shape().length == 0 ? "()" : t.shape().length == 1 ? "(3,)" : "(2, 3, 4)";
        assertTrue(header.startsWith("{'descr': '" + t.dtype().npyDescr + "', 'fortran_order': False, 'shape': " + shape),
                header);
        TorchWriterTest.assertSameTensor("parse " + t, t, Npy.parse(bytes));

        Path f = tmp.resolve("t.npy");
        Npy.write(f, t);
        TorchWriterTest.assertSameTensor("read " + t, t, Npy.read(f));
        Checkpoint c = CheckpointReader.read(f);
        assertEquals(FileFormat.NPY, c.format());
        TorchWriterTest.assertSameTensor("CheckpointReader " + t, t, TensorFiles.readSingle(f));
    }

    @Test
    void readingATensorsBytesDoesNotConsumeThem() {
        RawTensor t = RawTensor.ofFloats(new float[] {1, 2, 3}, 3);
        byte[] first = Npy.encode(t);
        assertEquals(12, t.data().remaining(), "encode left the tensor whole");
        assertArrayEquals(first, Npy.encode(t));
        t.data().getFloat();
        assertEquals(0, t.data().position());
        assertEquals(ByteOrder.LITTLE_ENDIAN, t.data().order());
    }

    @Test
    void fixtureNpyEqualsTheCheckpointsLatentAvg() throws IOException {
        RawTensor npy = Npy.read(Fixtures.path("stylegan2/latent_avg.npy"));
        assertEquals(DType.FLOAT32, npy.dtype());
        assertArrayEquals(new long[] {1, 64}, npy.shape());
        // the README: latent_avg.npy is mean_latent(4096), which the checkpoint stores squeezed to [64]
        Map<?, ?> root = CheckpointReader.read(Fixtures.path(TorchWriterTest.G32)).rootMap();
        RawTensor stored = ((TensorRef) root.get("latent_avg")).read();
        assertArrayEquals(new long[] {64}, stored.shape());
        assertEquals(stored.data(), npy.data());
        assertEquals(2.0685983f, npy.toFloatArray()[0], 0f);

        RawTensor pixels = Npy.read(Fixtures.path("clip/preprocess_rgb_downscale.resized_uint8.npy"));
        assertEquals(DType.UINT8, pixels.dtype());
        assertArrayEquals(new long[] {224, 224, 3}, pixels.shape());
        assertArrayEquals(new float[] {118, 25, 219}, java.util.Arrays.copyOf(pixels.toFloatArray(), 3));
    }

    // ---- safetensors --------------------------------------------------------------------------------------

    @Test
    void handWrittenSafetensorsFileReads() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(42).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(-2f).putFloat(3.5f).putFloat(4f); // a: F32 [2,2], bytes 0-16
        data.putLong(7).putLong(-8).putLong(1L << 40); // b: I64 [3], bytes 16-40
        data.putShort((short) 0x3c00); // c: F16 [] = 1.0, bytes 40-42
        Path f = safetensors("hand.safetensors", "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[16,40]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[40,42]}}", data.array());

        Map<String, RawTensor> t = Safetensors.read(f);
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(t.keySet()));
        assertArrayEquals(new long[] {2, 2}, t.get("a").shape());
        assertArrayEquals(new float[] {1, -2, 3.5f, 4}, t.get("a").toFloatArray());
        assertEquals(DType.INT64, t.get("b").dtype());
        ByteBuffer b = t.get("b").data();
        assertEquals(7, b.getLong());
        assertEquals(-8, b.getLong());
        assertEquals(1L << 40, b.getLong());
        assertArrayEquals(new long[0], t.get("c").shape());
        assertArrayEquals(new float[] {1f}, t.get("c").toFloatArray());

        Checkpoint c = CheckpointReader.read(f);
        assertEquals(FileFormat.SAFETENSORS, c.format());
        Map<String, TensorRef> refs = Checkpoint.tensors(c.root());
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(refs.keySet()));
        for (String k : refs.keySet()) TorchWriterTest.assertSameTensor(k, t.get(k), refs.get(k).read());
    }

    @Test
    void safetensorsWithBadOffsetsIsRefused() throws IOException {
        byte[] data = new byte[16];
        // 20 bytes for a 16-byte tensor
        assertRefused(safetensors("size.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,20]}}", data), "a: data offsets [0, 20)");
        // the right size, past the end of the file
        assertRefused(safetensors("past.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}", data), "a: data offsets [8, 24)");
        // negative start
        assertRefused(safetensors("negative.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[-4,12]}}", data), "a: data offsets [-4, 12)");
    }

    @Test
    void safetensorsWithANegativeOrOverflowingShapeIsRefused() throws IOException {
        byte[] data = new byte[16];
        // a negative size and offsets running backwards agree (-2 x 4 = 0 - 8): the shape is what is wrong
        assertRefused(safetensors("negative_shape.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[8,0]}}", data), "a: shape [-2] has a negative entry");
        assertRefused(safetensors("huge_shape.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", data),
                "a: shape [4294967296,4294967296] holds more elements than any file could");
    }

    @Test
    void malformedSafetensorsHeadersAreRefused() throws IOException {
        byte[] data = new byte[16];
        assertRefused(safetensors("no_offsets.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2]}}", data), "a: ");
        assertRefused(safetensors("no_dtype.safetensors", "{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", data), "a: ");
        assertRefused(safetensors("bad_dtype.safetensors",
                "{\"a\":{\"dtype\":\"Q7\",\"shape\":[4],\"data_offsets\":[0,16]}}", data), "unsupported dtype");
        assertRefused(safetensors("not_object.safetensors", "{\"a\":[1,2,3]}", data), "a: ");
        assertRefused(safetensors("bad_json.safetensors", "{\"a\":{\"dtype\":", data), "not valid JSON");
        // a header length past the end of the file
        byte[] f = Files.readAllBytes(safetensors("ok.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data));
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        Path longHeader = tmp.resolve("long_header.safetensors");
        Files.write(longHeader, f);
        assertRefused(longHeader, "header length");
    }

    private static void assertRefused(Path f, String what) {
        for (boolean direct : new boolean[] {true, false}) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> {
                        if (direct) Safetensors.read(f);
                        else CheckpointReader.read(f);
                    });
            String msg = e.getMessage();
            assertTrue(msg.startsWith(f.getFileName() + ": "), msg);
            assertTrue(msg.contains(what), "'" + what + "' in: " + msg);
        }
    }

    /** An 8-byte little-endian header length, the JSON header padded with spaces to 8 bytes, then the data. */
    private Path safetensors(String name, String header, byte[] data) throws IOException {
        StringBuilder h = new StringBuilder(header);
        while (h.length() % 8 != 0) h.append(' ');
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] len = new byte[8];
        ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
        out.writeBytes(len);
        out.writeBytes(json);
        out.writeBytes(data);
        Path f = tmp.resolve(name);
        Files.write(f, out.toByteArray());
        return f;
    }
}
