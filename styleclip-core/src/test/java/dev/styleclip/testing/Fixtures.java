package dev.styleclip.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/** Golden fixtures copied from ../shared/fixtures into test resources (fixtures/&lt;family&gt;/...). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        if (url == null) {
            URL gz = Fixtures.class.getResource("/fixtures/" + relative + ".gz");
            if (gz == null) throw new IllegalStateException("missing test fixture fixtures/" + relative);
            return gunzipped(toPath(gz), Path.of("target", "unpacked-fixtures", relative));
        }
        return toPath(url);
    }

    private static Path toPath(URL url) {
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fixtures over 20 MiB are committed gzipped (the mapper checkpoint); tests get the original bytes,
     * unpacked once under target/.
     */
    public static synchronized Path gunzipped(Path gz, Path target) {
        try {
            if (!Files.exists(target)) {
                Files.createDirectories(target.toAbsolutePath().getParent());
                Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".unpack", ".part");
                try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawTensor npy(String relative) {
        try {
            return Npy.read(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture array as a float32 engine tensor. */
    public static Tensor tensor(String relative) {
        Engine.init();
        return Tensors.fromRawAsFloat(npy(relative));
    }

    public static JsonObject json(String relative) {
        try {
            return JsonParser.parseString(Files.readString(path(relative))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts equal shapes and max |actual - expected| <= atol, reporting the difference. */
    public static double assertClose(String what, Tensor expected, Tensor actual, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape())
                + " vs golden " + Arrays.toString(expected.shape()));
        double diff = Tensors.maxAbsDiff(expected, actual);
        assertTrue(diff <= atol, what + ": max abs diff " + diff + " > tolerance " + atol);
        return diff;
    }
}
