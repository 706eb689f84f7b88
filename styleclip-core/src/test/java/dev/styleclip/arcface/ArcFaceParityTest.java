package dev.styleclip.arcface;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of fixtures/arcface/manifest.json (StyleCLIP's Backbone and IDLoss on tiny_ir_se.pth), within the
 * manifest's tolerances.
 */
class ArcFaceParityTest {
    static IdLoss idLoss;
    static JsonObject manifest;

    @BeforeAll
    static void load() throws IOException {
        idLoss = IdLoss.load(Fixtures.path("arcface/tiny_ir_se.pth"));
        manifest = Fixtures.json("arcface/manifest.json");
    }

    @AfterAll
    static void close() {
        idLoss.close();
    }

    /** Compares with the golden output {@code output} of case {@code name}, at its tolerance_max_abs. */
    static double check(String name, String output, Tensor actual) {
        JsonObject out = null;
        for (var c : manifest.getAsJsonArray("cases")) {
            if (c.getAsJsonObject().get("name").getAsString().equals(name)) {
                out = c.getAsJsonObject().getAsJsonObject("outputs").getAsJsonObject(output);
            }
        }
        if (out == null) throw new IllegalArgumentException("no output " + output + " in case " + name);
        Tensor expected = tensor("arcface/" + out.get("file").getAsString());
        double diff = assertClose(name + "." + output, expected, actual, out.get("tolerance_max_abs").getAsDouble());
        return diff;
    }

    @Test
    void embedding() {
        Tensor x = tensor("arcface/embedding.x.npy");
        Backbone net = idLoss.facenet();
        check("embedding", "embedding", net.forward(x));
        check("embedding", "pre_l2norm_features", net.preNorm(x));
    }

    /** Runs IDLoss(y_hat, y).backward() and checks loss and dLoss/dy_hat; y gets no gradient. */
    private static void idLossCase(String name) {
        Tensor yHat = tensor("arcface/" + name + ".y_hat.npy");
        Tensor y = tensor("arcface/" + name + ".y.npy");
        yHat.set_requires_grad(true);
        y.set_requires_grad(true);
        Tensor loss = idLoss.loss(yHat, y);
        loss.backward();
        check(name, "loss", loss.reshape(1));
        check(name, "grad_y_hat", yHat.grad());
        assertFalse(y.grad().defined(), "the target y must get no gradient (y_feats.detach())");
    }

    @Test
    void idLossS32() {
        idLossCase("idloss_s32");
        check("idloss_s32", "face_input_y_hat", idLoss.faceInput(tensor("arcface/idloss_s32.y_hat.npy")));
        check("idloss_s32", "face_input_y", idLoss.faceInput(tensor("arcface/idloss_s32.y.npy")));
    }

    @Test
    void idLossS96Batch2() {
        idLossCase("idloss_s96_b2");
    }

    @Test
    void lossToAPrecomputedTargetIsTheSame() {
        Tensor yHat = tensor("arcface/idloss_s96_b2.y_hat.npy");
        Tensor y = tensor("arcface/idloss_s96_b2.y.npy");
        assertClose("loss", idLoss.loss(yHat, y), idLoss.lossToTarget(yHat, idLoss.targetEmbedding(y)), 0);
    }
}
