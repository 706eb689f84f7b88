package dev.styleclip;

import com.google.gson.GsonBuilder;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.OutputFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an edit returns: the image before and after, the edited latent (W+ for optimization and mappers, flat S codes
 * for global directions), and its provenance (tool, prompt, method, start, settings, SHA-256 of every model file,
 * what the run measured). Everything is on the Java heap.
 *
 * @param method     optimize, mapper or global
 * @param input      the user's picture as the generator sees it, when the start is an inverted picture; else null
 * @param before     the start's image (for an inverted picture, its reconstruction as the edit starts from it)
 * @param after      the edited image
 * @param latent     the edited latent
 * @param provenance ordered fields, as {@code provenance.json} holds them
 */
public record EditResult(String method, BufferedImage input, BufferedImage before, BufferedImage after, Latent latent,
                         Map<String, Object> provenance) {
    public EditResult {
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /** An edit of a generated start (a seed or a latent file): no input picture. */
    public EditResult(String method, BufferedImage before, BufferedImage after, Latent latent, Map<String, Object> provenance) {
        this(method, null, before, after, latent, provenance);
    }

    /** The same edit with other provenance (a front end adds its own fields). */
    public EditResult withProvenance(Map<String, Object> p) {
        return new EditResult(method, input, before, after, latent, p);
    }

    /**
     * This edit, made from the latent of {@code inversion}, as an edit of that picture: the picture becomes the first
     * panel of {@link #beforeAfter()}, and the inversion's provenance (method, picture, SHA-256, its figures) is kept
     * under {@code "inversion"}.
     */
    public EditResult ofPicture(InversionResult inversion) {
        Map<String, Object> p = new LinkedHashMap<>(provenance);
        p.put("inversion", inversion.provenance());
        return new EditResult(method, inversion.input(), before, after, latent, p);
    }

    /** The provenance as the JSON written beside the images and into their PNG text chunk. */
    public String provenanceJson() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(provenance);
    }

    /** Before and after side by side; for an edited picture, the picture, its reconstruction and the edit. */
    public BufferedImage beforeAfter() {
        return Images.strip(input != null ? List.of(input, before, after) : List.of(before, after));
    }

    /**
     * Writes {@code final.png}, {@code latent.npy}, {@code provenance.json} and {@code before_after.png} into
     * {@code dir} (created if needed; files of the same names are replaced). If any write fails, the files this call
     * created are removed again, so the folder never holds half an edit.
     */
    public void save(Path dir) throws IOException {
        String json = provenanceJson();
        Map<String, String> text = Map.of("styleclip", json);
        try (OutputFiles out = new OutputFiles()) {
            Path d = out.folder(dir);
            Images.write(out.claim(d.resolve("final.png")), after, text);
            latent.save(out.claim(d.resolve("latent.npy")));
            AtomicFiles.write(out.claim(d.resolve("provenance.json")), (json + "\n").getBytes(StandardCharsets.UTF_8));
            Images.write(out.claim(d.resolve("before_after.png")), beforeAfter(), text);
            out.commit();
        }
    }
}
