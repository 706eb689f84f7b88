package dev.styleclip.edit.mapper;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first update of the reference coach (train_manifest.json, update1_tensors and the loss terms of update 1) that
 * do not involve the identity loss: x = decoder(w), w_hat = w + 0.1 mapper(w), x_hat = decoder(w_hat), the CLIP
 * loss (mean over the batch) and MSE(w_hat, w). Run with id_lambda 0, so the total differs from the reference's.
 */
class TrainingForwardParityTest {
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
    void update1ImagesLatentsAndLossTerms() throws IOException {
        JsonObject tol = fx.manifest.getAsJsonObject("update1_tensors").getAsJsonObject("tolerance_abs");
        MapperOptions opts = fx.options(null).with("id_lambda", 0.0);
        try (PointerScope scope = new PointerScope(); LevelsMapper mapper = fx.ckpt.mapper();
             MapperTrainer t = new MapperTrainer(opts, fx.models(mapper, null), fx.train, fx.test, TrainFixture.recordedOrder())) {
            MapperTrainer.Forward f = t.forward(fx.train.batch(TrainFixture.recordedOrder().batch(0)));
            report("x", assertClose("x", tensor("mapper/train_update1.x.npy"), f.x(), tol.get("x").getAsDouble()), tol.get("x"));
            report("x_hat", assertClose("x_hat", tensor("mapper/train_update1.x_hat.npy"), f.xHat(), tol.get("x_hat").getAsDouble()), tol.get("x_hat"));
            report("w_hat", assertClose("w_hat", tensor("mapper/train_update1.w_hat.npy"), f.wHat(), tol.get("w_hat").getAsDouble()), tol.get("w_hat"));
            double[] row0 = TrainFixture.doubles("train_losses.npy"); // [6, 6]; row 0 is update 1
            JsonObject lossTol = fx.trainingCase("train_").getAsJsonObject("tolerance").getAsJsonObject("losses_abs");
            for (String k : new String[] {LossDict.CLIP, LossDict.L2_LATENT}) {
                double expected = row0[TrainFixture.LOSS_COLUMNS.indexOf(k)];
                double atol = lossTol.getAsJsonArray(k).get(0).getAsDouble();
                double diff = Math.abs(f.losses().get(k) - expected);
                assertTrue(diff <= atol, k + ": " + f.losses().get(k) + " vs " + expected);
            }
            assertEquals(0.0, row0[0]);
            assertEquals(f.losses().get(LossDict.CLIP) + 0.8 * f.losses().get(LossDict.L2_LATENT), f.losses().loss(), 1e-6);
        }
    }

    private static void report(String what, double diff, com.google.gson.JsonElement atol) {
    }
}
