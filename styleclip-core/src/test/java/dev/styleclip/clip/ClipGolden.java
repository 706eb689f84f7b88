package dev.styleclip.clip;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import org.bytedeco.pytorch.Tensor;

/** fixtures/clip/manifest.json: cases, golden outputs and their tolerances, read from the manifest itself. */
final class ClipGolden {
    static final JsonObject MANIFEST = Fixtures.json("clip/manifest.json");

    private ClipGolden() {
    }

    static JsonObject kase(String name) {
        for (JsonElement e : MANIFEST.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("name").getAsString().equals(name)) return c;
        }
        throw new IllegalArgumentException("no case " + name + " in fixtures/clip/manifest.json");
    }

    /** Compares an output with its golden file at the manifest's tolerance and prints the measured difference. */
    static void check(String caseName, String output, Tensor actual) {
        JsonObject o = kase(caseName).getAsJsonObject("outputs").getAsJsonObject(output);
        double tol = o.get("tolerance_max_abs").getAsDouble();
        double diff = assertClose(caseName + "." + output, tensor("clip/" + o.get("file").getAsString()), actual, tol);
    }

    /** An integer fixture (token ids), kept int32 rather than widened to float. */
    static Tensor tokens(String file) {
        return Tensors.fromRaw(Fixtures.npy("clip/" + file));
    }

    static int[][] intRows(Tensor t) {
        long[] flat = Tensors.toLongArray(t);
        int n = (int) t.size(0), l = (int) t.size(1);
        int[][] rows = new int[n][l];
        for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) rows[i][j] = Math.toIntExact(flat[i * l + j]);
        return rows;
    }
}
