package dev.styleclip.edit.mapper;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The setting of fixtures/mapper/train_manifest.json: the mapper and tiny decoder of levels_mapper_seed2.pt, the tiny
 * CLIP and IR-SE, the prompt, the recorded latents and batch order. One per test class; close it after.
 */
final class TrainFixture implements AutoCloseable {
    static final String PROMPT = "a person with purple hair";
    final JsonObject manifest = Fixtures.json("mapper/train_manifest.json");
    final MapperCheckpoint ckpt;
    final DecoderWeights decoderWeights;
    final Generator decoder;
    final ClipModel clip;
    final ClipLoss clipLoss;
    final TrainingLatents train;
    final TrainingLatents test;
    final IdLoss id;

    TrainFixture() throws IOException {
        ckpt = MapperCheckpoint.read(Fixtures.path("mapper/levels_mapper_seed2.pt"));
        decoderWeights = ckpt.decoder();
        decoder = decoderWeights.generator();
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        clipLoss = new ClipLoss(clip, 64, ImageNormalization.NONE);
        train = TrainingLatents.fromFile(Fixtures.path("mapper/train_latents.pt"), decoder);
        test = TrainingLatents.fromFile(Fixtures.path("mapper/train_test_latents.pt"), decoder);
        id = IdLoss.load(Fixtures.path("arcface/tiny_ir_se.pth"));
    }

    /** TrainOptions defaults with the manifest's argv (tiny decoder, max_steps 6 updates, save_interval 4). */
    MapperOptions options(String expDir) {
        return MapperOptions.defaults(PROMPT).with(java.util.Map.of("stylegan_size", 64, "max_steps", 6, "save_interval", 4,
                "board_interval", 1, "latents_train_path", "train_latents.pt", "latents_test_path", "test_latents.pt"))
                .with("exp_dir", expDir);
    }

    /** The reference's identity loss, IDLoss(x_hat, x), with the tiny IR-SE of fixtures/arcface/tiny_ir_se.pth. */
    ImageLoss idLoss() {
        return id::loss;
    }

    /** The recorded batch order of the reference run (train_batch_indices.npy, [6, 2]). */
    static BatchOrder recordedOrder() {
        RawTensor idx = Fixtures.npy("mapper/train_batch_indices.npy");
        float[] v = idx.toFloatArray();
        int rows = (int) idx.shape()[0], cols = (int) idx.shape()[1];
        int[][] batches = new int[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) batches[r][c] = (int) v[r * cols + c];
        return BatchOrder.fixed(batches);
    }

    MapperTrainer.Models models(LevelsMapper mapper, ImageLoss idLoss) {
        return new MapperTrainer.Models(mapper, decoder, decoderWeights, clipLoss, idLoss);
    }

    /** A float64 .npy as doubles. */
    static double[] doubles(String file) {
        RawTensor t = Fixtures.npy("mapper/" + file);
        ByteBuffer b = t.data();
        double[] out = new double[(int) t.numel()];
        for (int i = 0; i < out.length; i++) out[i] = t.dtype() == dev.styleclip.io.DType.FLOAT64 ? b.getDouble() : b.getFloat();
        return out;
    }

    JsonObject trainingCase(String prefix) {
        for (var c : manifest.getAsJsonArray("training_cases")) {
            if (c.getAsJsonObject().get("prefix").getAsString().equals(prefix)) return c.getAsJsonObject();
        }
        throw new IllegalArgumentException(prefix);
    }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    static final List<String> LOSS_COLUMNS = List.of("global_step", LossDict.ID, LossDict.ID_IMPROVE, LossDict.CLIP,
            LossDict.L2_LATENT, LossDict.TOTAL);

    @Override
    public void close() {
        id.close();
        train.close();
        test.close();
        clip.close();
        decoder.close();
    }
}
