package dev.styleclip.edit.global;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.io.CacheDir;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * StyleCLIP's third method on one generator, the whole pipeline in one place: the channel relevance {@code fs3} and
 * the S statistics of a {@link DirectionsFolder} (checked against the generator), the text direction of a
 * neutral/target pair (global_torch/StyleCLIP.py {@code GetDt}), its {@link Boundary} at a threshold beta, and the
 * edit {@code s + alpha * delta_s} ({@code MSCode}). Prompt embeddings are cached in the user's cache folder per CLIP
 * file, so another alpha or beta costs no text encoding.
 *
 * <p>The folder's tensors are owned by this object ({@link #close()}); the tensors its methods return belong to the
 * caller's scope.
 */
public final class GlobalDirections implements AutoCloseable {
    /** The reference GUI's defaults. */
    public static final double DEFAULT_ALPHA = 4.1;
    public static final double DEFAULT_BETA = 0.15;

    /**
     * One global edit.
     *
     * @param neutral the text the direction starts from ("a face", "a portrait")
     * @param target  the text it goes to
     * @param alpha   the strength (any finite number; negative moves away from the target)
     * @param beta    the relevance threshold in (0, 1]: fewer channels move as it grows
     */
    public record Settings(String neutral, String target, double alpha, double beta) {
        public Settings {
            if (neutral == null || neutral.isBlank()) throw new SettingException("neutral", "must be a text");
            if (target == null || target.isBlank()) throw new SettingException("target", "must be a text");
            Checks.finite("alpha", alpha);
            Checks.openClosed("beta", beta, 0, 1);
        }

        public Settings withAlpha(double a) {
            return new Settings(neutral, target, a, beta);
        }
    }

    private final Generator g;
    private final DirectionsFolder folder;
    private final TextDirection text;
    private final String clipSha256;
    private final Tensor fs3;
    private final StyleStats stats;
    private final PointerScope owned;
    private final Map<String, float[]> embeddings = new ConcurrentHashMap<>();

    private GlobalDirections(Generator g, ClipModel clip, String clipSha256, DirectionsFolder folder) throws IOException {
        this.g = g;
        this.folder = folder;
        this.text = new TextDirection(clip);
        this.clipSha256 = clipSha256;
        this.owned = new PointerScope();
        try {
            this.fs3 = folder.fs3();
            this.stats = folder.stats();
            folder.check(g, fs3, stats);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend();
        owned.close();
    }

    /**
     * @param clipSha256 the SHA-256 of the CLIP file (the key of the prompt-embedding cache)
     * @param folder     a folder from {@code global prepare}, or StyleCLIP's published {@code fs3.npy} and {@code S_mean_std}
     */
    public static GlobalDirections open(Generator g, ClipModel clip, String clipSha256, Path folder) throws IOException {
        return new GlobalDirections(g, clip, clipSha256, new DirectionsFolder(folder));
    }

    public Path folder() {
        return folder.dir();
    }

    /** The boundary of a neutral/target pair at threshold beta (its tensors belong to the caller's scope). */
    public Boundary boundary(String neutral, String target, double beta) throws IOException {
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor t = embedding(target);
            Tensor dt = t.sub(embedding(neutral));
            dt = dt.div(dt.square().sum().sqrt());
            return Boundary.of(fs3, dt, g.styleLayout(), stats.std(), beta);
        }
    }

    /** The edited flat S codes [B, sum C] of W+ latents [B, L, D]. */
    public Tensor edit(Tensor wPlus, Boundary b, double alpha) {
        try (NoGradGuard ng = new NoGradGuard()) {
            return editCodes(StyleCodes.flatten(g.styles(wPlus)), b, alpha);
        }
    }

    /** The edited flat S codes of flat S codes [B, sum C] (for chaining edits). */
    public Tensor editCodes(Tensor flatS, Boundary b, double alpha) {
        try (NoGradGuard ng = new NoGradGuard()) {
            return StyleEdit.apply(flatS, b.deltaS(), alpha);
        }
    }

    /** The images [B, 3, H, W] of flat S codes (the checkpoint's fixed noise). */
    public Tensor image(Tensor flatS) {
        try (NoGradGuard ng = new NoGradGuard()) {
            return g.synthesizeFromStyles(StyleCodes.unflatten(flatS, g.styleLayout()), NoiseMode.CONST);
        }
    }

    /** The template-averaged embedding of a prompt [D]: from memory, the cache folder, or CLIP. */
    Tensor embedding(String prompt) throws IOException {
        float[] known = embeddings.get(prompt);
        if (known != null) return Tensors.floats(known, known.length);
        Path f = CacheDir.folder("prompt-embeddings").resolve(DirectionsFolder.sha256(clipSha256 + "\n" + prompt).substring(0, 32) + ".npy");
        Tensor e;
        if (Files.isRegularFile(f)) {
            e = Tensors.fromRawAsFloat(Npy.read(f));
        } else {
            e = text.compute(text.tokens(prompt));
            RawTensor raw = Tensors.toRaw(e);
            Npy.write(f, raw);
        }
        embeddings.put(prompt, Tensors.toFloatArray(e));
        return e;
    }

    /** The tokens of a prompt in every template; an over-long prompt is an error naming it. */
    public void checkPrompt(String prompt) {
        text.tokens(prompt);
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
