package dev.styleclip.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code .safetensors} format: an 8-byte little-endian header length, a JSON header mapping each name
 * to {dtype, shape, data_offsets}, then the raw little-endian data. Offsets are checked against the file.
 */
public final class Safetensors {
    private Safetensors() {
    }

    public static Map<String, RawTensor> read(Path file) throws IOException {
        InputFiles.requireReadable(file);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8) throw new CheckpointException(file, "too short for a safetensors file");
        long n = b.getLong();
        if (n <= 0 || 8 + n > bytes.length) throw new CheckpointException(file, "safetensors header length " + n + " is past the end of the file");
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file, "safetensors header is not valid JSON");
        }
        int base = (int) (8 + n);
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            try {
                out.put(e.getKey(), entry(file, bytes, base, e.getKey(), e.getValue().getAsJsonObject()));
            } catch (RuntimeException ex) { // a missing or mistyped field (NullPointerException, IllegalStateException, ...)
                throw new CheckpointException(file, e.getKey() + ": malformed header entry " + e.getValue()
                        + " (needs dtype, shape and data_offsets)", ex);
            }
        }
        return out;
    }

    private static RawTensor entry(Path file, byte[] bytes, int base, String name, JsonObject o) throws CheckpointException {
        DType dtype = DType.fromSafetensors(o.get("dtype").getAsString());
        if (dtype == null) throw new CheckpointException(file, name + ": unsupported dtype " + o.get("dtype"));
        var shapeJson = o.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
            if (shape[i] < 0) throw new CheckpointException(file, name + ": shape " + shapeJson + " has a negative entry");
        }
        long size = dtype.bytes; // what the shape needs
        try {
            for (long d : shape) size = Math.multiplyExact(size, d);
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, name + ": shape " + shapeJson + " holds more elements than any file could");
        }
        var offsets = o.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        if (end - begin != size || base + end > bytes.length || begin < 0) {
            throw new CheckpointException(file, name + ": data offsets [" + begin + ", " + end + ") do not fit its shape or the file");
        }
        return new RawTensor(dtype, shape, ByteBuffer.wrap(bytes, (int) (base + begin), (int) (end - begin)).slice());
    }
}
