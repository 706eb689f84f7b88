package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Six updates of the reference coach per training case of train_manifest.json (Ranger lr 0.5, Ranger lr 500, Adam
 * lr 0.5), from levels_mapper_seed2.pt on the recorded batches: every loss term of every update, and the mapper's
 * weight rows, biases and row sums after the recorded updates, within the manifest's per-update tolerances.
 *
 * <p>Every reference loss includes the identity loss (id_lambda 0.1, the tiny IR-SE), whose gradient moves the weights
 * from update 1 on.
 */
class TrainingParityTest {
    static final int[] ROWS = {0, 1, 2, 3, 128, 255, 256, 511};
    static TrainFixture fx;

    @BeforeAll
    static void load() throws IOException {
        fx = new TrainFixture();
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    @Test
    void rangerLr05() throws IOException {
        runCase("train_", fx.options(null));
    }

    @Test
    void rangerLr500() throws IOException {
        runCase("train_lr500_", fx.options(null).with("learning_rate", 500.0));
    }

    @Test
    void adamLr05() throws IOException {
        runCase("train_adam_", fx.options(null).with("optim_name", "adam"));
    }

    private void runCase(String prefix, MapperOptions opts) throws IOException {
        JsonObject c = fx.trainingCase(prefix);
        JsonObject tol = c.getAsJsonObject("tolerance");
        double[] losses = TrainFixture.doubles(prefix + "losses.npy"); // [6, 6]
        JsonObject states = c.getAsJsonObject("states");
        BatchOrder order = TrainFixture.recordedOrder();
        try (LevelsMapper mapper = fx.ckpt.mapper();
             MapperTrainer t = new MapperTrainer(opts, fx.models(mapper, fx.idLoss()), fx.train, fx.test, order)) {
            for (int g = 0; g < 6; g++) {
                LossDict d;
                try (PointerScope scope = new PointerScope()) {
                    d = t.step(fx.train.batch(order.batch(g)));
                }
                assertEquals(g, losses[g * 6], "global_step");
                for (int col = 1; col < 6; col++) {
                    String k = TrainFixture.LOSS_COLUMNS.get(col);
                    double atol = tol.getAsJsonObject("losses_abs").getAsJsonArray(k).get(g).getAsDouble();
                    double diff = Math.abs(d.get(k) - losses[g * 6 + col]);
                    assertTrue(diff <= atol, prefix + " update " + (g + 1) + " " + k + ": " + d.get(k) + " vs " + losses[g * 6 + col]);
                }
                String key = "after_update_" + (g + 1);
                if (states.has(key)) checkState(prefix + "state_u" + (g + 1), mapper, tol, g);
            }
        }
    }

    private static void checkState(String stem, LevelsMapper mapper, JsonObject tol, int update) {
        float[] rows = Fixtures.npy("mapper/" + stem + ".weight_rows.npy").toFloatArray(); // [12, 8, 512]
        float[] biases = Fixtures.npy("mapper/" + stem + ".biases.npy").toFloatArray();    // [12, 512]
        double[] sums = TrainFixture.doubles(stem + ".weight_row_sums.npy");             // [12, 512], float64
        double wTol = tol.getAsJsonArray("weights_abs").get(update).getAsDouble();
        double bTol = tol.getAsJsonArray("biases_abs").get(update).getAsDouble();
        double sTol = tol.getAsJsonArray("weight_row_sums_abs").get(update).getAsDouble();
        JsonArray weightKeys = fx.manifest.getAsJsonObject("updates").getAsJsonArray("weight_keys");
        JsonArray biasKeys = fx.manifest.getAsJsonObject("updates").getAsJsonArray("bias_keys");
        Map<String, Tensor> params = mapper.parameters();
        double wMax = 0, bMax = 0, sMax = 0;
        for (int i = 0; i < 12; i++) {
            float[] w = Tensors.toFloatArray(params.get(weightKeys.get(i).getAsString())); // [512, 512]
            for (int r = 0; r < ROWS.length; r++) {
                for (int j = 0; j < 512; j++) wMax = Math.max(wMax, Math.abs(w[ROWS[r] * 512 + j] - rows[(i * 8 + r) * 512 + j]));
            }
            for (int r = 0; r < 512; r++) {
                double s = 0;
                for (int j = 0; j < 512; j++) s += w[r * 512 + j];
                sMax = Math.max(sMax, Math.abs(s - sums[i * 512 + r]));
            }
            float[] b = Tensors.toFloatArray(params.get(biasKeys.get(i).getAsString()));
            for (int j = 0; j < 512; j++) bMax = Math.max(bMax, Math.abs(b[j] - biases[i * 512 + j]));
        }
        assertTrue(wMax <= wTol, stem + " weights " + wMax);
        assertTrue(bMax <= bTol, stem + " biases " + bMax);
        assertTrue(sMax <= sTol, stem + " row sums " + sMax);
    }
}
