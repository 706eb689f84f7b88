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
        if (url == null) throw new IllegalStateException("missing test fixture fixtures/" + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
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
