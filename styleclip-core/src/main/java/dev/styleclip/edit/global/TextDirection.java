package dev.styleclip.edit.global;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * The text direction of global directions (global_torch/StyleCLIP.py {@code zeroshot_classifier},
 * {@code GetDt}): each prompt is put into the 79 ImageNet templates, the CLIP text embeddings are
 * normalised, averaged and normalised again; dt = target - neutral, normalised. Prompt embeddings are
 * cached, so changing alpha or beta costs no text encoding.
 */
public final class TextDirection {
    /** The reference's templates ("a bad photo of a {}.", ...), in its order. */
    public static final List<String> TEMPLATES = loadTemplates();

    private final ClipModel clip;
    private final ClipTokenizer tokenizer = ClipTokenizer.load();
    private final Map<String, Tensor> cache = new ConcurrentHashMap<>();

    public TextDirection(ClipModel clip) {
        this.clip = clip;
    }

    /** The unit direction from {@code neutral} to {@code target} [D]. */
    public Tensor direction(String neutral, String target) {
        Tensor dt = embedding(target).sub(embedding(neutral));
        return dt.div(norm(dt));
    }

    /** The template-averaged unit embedding of a prompt [D] (cached). */
    public Tensor embedding(String prompt) {
        Tensor cached = cache.get(prompt);
        if (cached != null) return cached;
        Tensor e = compute(tokens(prompt));
        cache.put(prompt, e);
        return e;
    }

    /** The template texts of a prompt, tokenized [79][77] (over-long texts are an error naming the prompt). */
    public int[][] tokens(String prompt) {
        List<String> texts = new ArrayList<>(TEMPLATES.size());
        for (String t : TEMPLATES) texts.add(t.replace("{}", prompt));
        return tokenizer.tokenize(texts, TruncationPolicy.ERROR);
    }

    /** Template-averaged embedding from tokens [T][77]. */
    public Tensor compute(int[][] tokens) {
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor e = clip.encodeText(tokens); // [T, D]
            e = e.div(e.norm(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(2.0)), new long[] {1}, true));
            Tensor mean = e.mean(new long[] {0}, false, new ScalarTypeOptional());
            return mean.div(norm(mean));
        }
    }

    private static Tensor norm(Tensor v) {
        return v.square().sum().sqrt();
    }

    private static List<String> loadTemplates() {
        try (InputStream in = TextDirection.class.getResourceAsStream("/dev/styleclip/edit/global/imagenet_templates.txt")) {
            if (in == null) throw new IllegalStateException("bundled templates are missing");
            List<String> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) if (!line.isEmpty()) out.add(line);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
