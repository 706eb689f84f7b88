package dev.styleclip.clip;

import dev.styleclip.clip.preprocess.ClipImagePreprocess;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A CLIP model with its tokenizer and its image preprocessing, as openai/CLIP's {@code clip.load} hands out a model and
 * a {@code preprocess}: texts and image files in, embeddings and logits out as Java arrays. Each call runs in its own
 * native scope. {@link #model()} is the network itself, for losses and training.
 */
public final class Clip implements AutoCloseable {
    private final ClipModel model;
    private final ClipTokenizer tokenizer = ClipTokenizer.load();

    public Clip(ClipModel model) {
        this.model = model;
    }

    /** OpenAI's TorchScript file, a state dict, or the bundled CLIP. */
    public static Clip load(Path file) throws IOException {
        return new Clip(ClipModel.load(file));
    }

    public ClipModel model() {
        return model;
    }

    /** Token ids [N][77]; a text too long for the context is refused unless {@code policy} truncates it. */
    public int[][] tokenize(List<String> texts, TruncationPolicy policy) {
        return tokenizer.tokenize(texts, policy);
    }

    /** Text embeddings [N][D], as CLIP's {@code encode_text} returns them (not normalised). */
    public float[][] embedTexts(List<String> texts, TruncationPolicy policy) {
        int[][] tokens = tokenize(texts, policy);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return rows(model.encodeText(tokens));
        }
    }

    /** Image embeddings [N][D] of image files, preprocessed as CLIP's {@code preprocess} does (not normalised). */
    public float[][] embedImages(List<Path> files) throws IOException {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return rows(model.encodeImage(preprocess(files)));
        }
    }

    /** Image embeddings [N][D] of already preprocessed images [N, 3, R, R]; non-finite values are refused. */
    public float[][] embedImages(Tensor preprocessed, String what) {
        Tensors.requireFinite(what, preprocessed);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return rows(model.encodeImage(preprocessed));
        }
    }

    /** CLIP's logits per image [images][texts]: exp(logit_scale) times the cosine of the embeddings. */
    public float[][] logits(List<Path> images, List<String> texts, TruncationPolicy policy) throws IOException {
        int[][] tokens = tokenize(texts, policy);
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            return rows(model.forward(preprocess(images), tokens).perImage());
        }
    }

    /** exp(logit_scale): logits divided by it are cosines. */
    public double logitScale() {
        return model.logitScaleExp();
    }

    /** Image files as the model's input batch [N, 3, R, R] (CLIP's bicubic resize, centre crop, mean and std). */
    public Tensor preprocess(List<Path> files) throws IOException {
        int s = model.config().imageResolution();
        TensorVector v = new TensorVector();
        for (Path f : files) v.push_back(Tensors.floats(ClipImagePreprocess.preprocess(f, s), 1, 3, s, s));
        return torch.cat(v, 0);
    }

    /** Each row divided by its L2 norm (computed by the engine, as {@code e / e.norm(dim=1, keepdim=True)}). */
    public static float[][] unit(float[][] rows) {
        if (rows.length == 0) return rows;
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        try (PointerScope scope = new PointerScope()) {
            Tensor e = Tensors.floats(flat, rows.length, rows[0].length);
            return rows(e.div(e.norm(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(2.0)), new long[] {1}, true)));
        }
    }

    private static float[][] rows(Tensor t) {
        float[] flat = Tensors.toFloatArray(t);
        int n = (int) t.size(0), d = (int) t.size(1);
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * d, out[i], 0, d);
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
