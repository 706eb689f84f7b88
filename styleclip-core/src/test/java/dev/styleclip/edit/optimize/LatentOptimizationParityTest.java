package dev.styleclip.edit.optimize;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** run_optimization.py's trajectories (fixtures/optimize): losses, latents, gradients and images of every step. */
class LatentOptimizationParityTest {
    static Generator g;
    static ClipModel clip;
    static IdLoss id;
    static LatentOptimization method;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        id = IdLoss.load(Fixtures.path("arcface/tiny_ir_se.pth"));
        method = new LatentOptimization(g, new ClipLoss(clip, 32, ImageNormalization.NONE), id);
    }

    @AfterAll
    static void close() {
        g.close();
        clip.close();
        id.close();
    }

    static JsonObject manifestCase(String name) {
        for (JsonElement e : Fixtures.json("optimize/manifest.json").getAsJsonArray("cases")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) return e.getAsJsonObject();
        }
        throw new IllegalArgumentException(name);
    }

    record Recorded(List<float[]> latents, List<float[]> grads, List<float[]> images) {
    }

    private static void check(String name, Tensor start, LatentOptimization.Settings settings) {
        JsonObject c = manifestCase(name);
        JsonObject tol = c.getAsJsonObject("tolerance");
        Recorded rec = new Recorded(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        LatentOptimization.Result r = method.run(start, settings, (losses, image, latent, grad) -> {
            rec.latents().add(Tensors.toFloatArray(latent));
            rec.grads().add(Tensors.toFloatArray(grad));
            rec.images().add(Tensors.toFloatArray(image));
        });
        int steps = settings.steps();
        float[] golden = Fixtures.npy("optimize/" + name + ".losses.npy").toFloatArray(); // [steps, 6]
        String[] cols = {"clip", "l2", "id", "total"};
        for (int i = 0; i < steps; i++) {
            LatentOptimization.StepLosses l = r.losses().get(i);
            double[] ours = {l.clip(), l.l2(), l.id(), l.total()};
            assertEquals(golden[i * 6 + 1], l.lr(), 1e-7, name + " lr step " + i);
            for (int k = 0; k < cols.length; k++) {
                double t = tol.getAsJsonObject("losses_abs").getAsJsonArray(cols[k]).get(i).getAsDouble();
                assertEquals(golden[i * 6 + 2 + k], ours[k], t, name + " " + cols[k] + " step " + i);
            }
        }
        Tensor latents = tensor("optimize/" + name + ".latents.npy");
        Tensor grads = tensor("optimize/" + name + ".grads.npy");
        Tensor images = tensor("optimize/" + name + ".step_images.npy");
        for (int i = 0; i < steps; i++) {
            assertClose(name + " latent " + i, latents.select(0, i), reshape(rec.latents().get(i), latents.select(0, i)), at(tol, "latents_abs", i));
            assertClose(name + " grad " + i, grads.select(0, i), reshape(rec.grads().get(i), grads.select(0, i)), at(tol, "grads_abs", i));
            assertClose(name + " image " + i, images.select(0, i), reshape(rec.images().get(i), images.select(0, i)), at(tol, "step_images_abs", i));
        }
        assertClose(name + " image_orig", tensor("optimize/" + name + ".image_orig.npy"), r.startImage(), tol.get("image_orig_abs").getAsDouble());
        assertClose(name + " image_final", tensor("optimize/" + name + ".image_final.npy"), r.finalImage(), tol.get("image_final_abs").getAsDouble());
    }

    private static double at(JsonObject tol, String key, int i) {
        JsonArray a = tol.getAsJsonArray(key);
        return a.get(i).getAsDouble();
    }

    private static Tensor reshape(float[] values, Tensor like) {
        return Tensors.floats(values, like.shape());
    }

    static Tensor start(String file) {
        try {
            return Tensors.fromRawAsFloat(TensorFiles.readSingle(Fixtures.path("optimize/" + file)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void editInWPlus() {
        check("edit_wplus", start("start.wplus.pt"), new LatentOptimization.Settings("a person with purple hair",
                OptimizationMode.EDIT, OptimizationSpace.W_PLUS, 20, 0.1, 0.008, 0.005));
    }

    @Test
    void freeGeneration() {
        Tensor s = start("free_start.wplus.pt");
        assertClose("free start = latent_avg repeated", s, method.meanStart(), 0);
        check("free_generation", s, new LatentOptimization.Settings("a person with purple hair",
                OptimizationMode.FREE, OptimizationSpace.W_PLUS, 10, 0.1, 0.008, 0.0));
    }

    @Test
    void editInStyleSpace() {
        check("edit_stylespace", start("start.wplus.pt"), new LatentOptimization.Settings("a person with purple hair",
                OptimizationMode.EDIT, OptimizationSpace.S, 10, 0.1, 0.008, 0.005));
    }

    @Test
    void learningRateSchedule() {
        assertEquals(0.0, LearningRate.at(0, 0.1), 0);
        assertEquals(0.1, LearningRate.at(0.5, 0.1), 1e-12);
        assertTrue(LearningRate.at(0.9, 0.1) < 0.1 && LearningRate.at(0.9, 0.1) > 0);
    }
}
