package dev.styleclip.edit.mapper;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.EnumSet;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of fixtures/mapper/manifest.json: StyleCLIP's LevelsMapper restored from levels_mapper_seed2.pt, with all
 * levels and with --no_fine_mapper, the edit w + 0.1 M(w), and inference.py's run_on_batch through the embedded
 * decoder. Tolerances are the manifest's suggested_atol.
 */
class MapperParityTest {
    static MapperCheckpoint ckpt;
    static LevelsMapper mapper;
    static LevelsMapper noFine;
    static JsonObject manifest;
    static NoGradGuard noGrad;

    @BeforeAll
    static void load() throws IOException {
        manifest = Fixtures.json("mapper/manifest.json");
        ckpt = MapperCheckpoint.read(Fixtures.path("mapper/levels_mapper_seed2.pt"));
        mapper = ckpt.mapper();
        noFine = ckpt.mapper(EnumSet.of(MapperLevel.COARSE, MapperLevel.MEDIUM));
        noGrad = new NoGradGuard();
    }

    @AfterAll
    static void close() {
        noGrad.close();
        mapper.close();
        noFine.close();
    }

    /** suggested_atol of one output of one case. */
    static double atol(String caseName, String output) {
        for (var c : manifest.getAsJsonArray("cases")) {
            JsonObject o = c.getAsJsonObject();
            if (o.get("name").getAsString().equals(caseName)) {
                return o.getAsJsonObject("outputs").getAsJsonObject(output).get("suggested_atol").getAsDouble();
            }
        }
        throw new IllegalArgumentException(caseName);
    }

    static double check(String caseName, String output, String file, Tensor actual) {
        double diff = assertClose(caseName + "." + output, tensor("mapper/" + file), actual, atol(caseName, output));
        return diff;
    }

    @Test
    void checkpointHoldsAllThreeLevelsAndTheDecoder() {
        assertEquals(MapperLevel.all(), ckpt.levels());
        assertEquals("a person with purple hair", ckpt.opts().get("description"));
        assertEquals(true, ckpt.hasDecoder());
    }

    @Test
    void mapperLevels() {
        check("mapper_levels", "delta", "mapper_delta.npy", mapper.forward(tensor("mapper/w_plus_in.npy")));
    }

    @Test
    void editedLatent() {
        check("edited_latent", "w_hat", "w_hat.npy", mapper.edit(tensor("mapper/w_plus_in.npy")));
    }

    @Test
    void mapperNoFineMapper() {
        Tensor w = tensor("mapper/w_plus_in.npy");
        Tensor delta = noFine.forward(w);
        check("mapper_no_fine_mapper", "delta", "mapper_delta_no_fine_mapper.npy", delta);
        assertEquals(0.0, delta.narrow(1, 8, 10).abs().max().item_double(), "switched-off rows are exactly 0");
        assertEquals(0.0, dev.styleclip.tensor.Tensors.maxAbsDiff(delta.narrow(1, 0, 8), mapper.forward(w).narrow(1, 0, 8)),
                "the other levels are unchanged");
        assertEquals(EnumSet.of(MapperLevel.COARSE, MapperLevel.MEDIUM), noFine.levels());
    }

    @Test
    void editedLatentNoFineMapper() {
        check("edited_latent_no_fine_mapper", "w_hat", "w_hat_no_fine_mapper.npy", noFine.edit(tensor("mapper/w_plus_in.npy")));
    }

    @Test
    void inferenceRunOnBatch() throws IOException {
        try (Generator g = ckpt.decoder().generator()) {
            assertEquals(10, g.config().nLatent());
            Tensor w = tensor("mapper/w_plus_e2e.npy");
            MapperEdit.Result r = MapperEdit.apply(mapper, g, w);
            check("inference_run_on_batch", "x_hat", "inference_x_hat.npy", r.edited());
            check("inference_run_on_batch", "w_hat", "inference_w_hat.npy", r.wHat());
            check("inference_run_on_batch", "x", "inference_x.npy", r.original());
        }
    }
}
