package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Npy.writeNpz writes what numpy.savez writes: stored .npy records in order, read back unchanged. */
class NpzWriterTest {
    @TempDir
    Path dir;

    @Test
    void arraysRoundTripAsStoredRecordsInOrder() throws Exception {
        Map<String, RawTensor> arrays = new LinkedHashMap<>();
        arrays.put("noise_1", RawTensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        arrays.put("noise_0", RawTensor.ofFloats(new float[] {-0.5f}, 1, 1, 1, 1));
        Path file = dir.resolve("noise.npz");
        Npy.writeNpz(file, arrays);
        Map<String, RawTensor> back = Npy.readNpz(file);
        assertEquals(List.of("noise_1", "noise_0"), List.copyOf(back.keySet()));
        assertArrayEquals(new long[] {1, 1, 2, 2}, back.get("noise_1").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, back.get("noise_1").toFloatArray());
        assertArrayEquals(new float[] {-0.5f}, back.get("noise_0").toFloatArray());
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry("noise_1.npy");
            assertEquals(ZipEntry.STORED, e.getMethod());
            assertEquals(Npy.encode(arrays.get("noise_1")).length, e.getSize());
        }
    }
}
