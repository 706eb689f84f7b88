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
 * @param before     the start's image
 * @param after      the edited image
 * @param latent     the edited latent
 * @param provenance ordered fields, as {@code provenance.json} holds them
 */
public record EditResult(String method, BufferedImage before, BufferedImage after, Latent latent, Map<String, Object> provenance) {
    public EditResult {
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /** The same edit with other provenance (a front end adds its own fields). */
    public EditResult withProvenance(Map<String, Object> p) {
        return new EditResult(method, before, after, latent, p);
    }

    /** The provenance as the JSON written beside the images and into their PNG text chunk. */
    public String provenanceJson() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(provenance);
    }

    /** Before and after side by side. */
    public BufferedImage beforeAfter() {
        return Images.strip(List.of(before, after));
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
