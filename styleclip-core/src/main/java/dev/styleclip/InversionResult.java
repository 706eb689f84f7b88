package dev.styleclip;

import com.google.gson.GsonBuilder;
import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npy;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.io.RawTensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an inversion returns: the picture as the generator sees it (centre-cropped and resized), the reconstruction,
 * the W+ latent (its origin names the picture and its SHA-256), the optimized noise maps, the figures, and the
 * provenance. Everything is on the Java heap.
 *
 * @param method         optimize (later also encoder, encoder+optimize)
 * @param input          the picture at the generator's side
 * @param reconstruction the image of {@code latent} with {@code noise}
 * @param latent         W+ [1, n_latent, style_dim]
 * @param noise          the noise maps the reconstruction was made with, {@code noise_i} for the generator's buffer
 *                       {@code noises.noise_i}, each [1, 1, r, r]
 * @param metrics        how close the reconstruction is
 * @param provenance     ordered fields, as {@code provenance.json} holds them
 */
public record InversionResult(String method, BufferedImage input, BufferedImage reconstruction, Latent latent,
                              Map<String, RawTensor> noise, Metrics metrics, Map<String, Object> provenance) {
    /**
     * @param psnr                PSNR in dB of the reconstruction against the input ({@code +Infinity}: identical)
     * @param ssim                SSIM, 1 for identical images
     * @param clipFeatureDistance the CLIP-feature distance, 0 for identical images
     * @param seconds             wall-clock time of the inversion
     */
    public record Metrics(double psnr, double ssim, double clipFeatureDistance, double seconds) {
        /** The fields of {@code metrics.json} (an infinite PSNR is written as null: JSON has no infinity). */
        public Map<String, Object> json(String method) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method);
            m.put("psnr_db", Double.isFinite(psnr) ? psnr : null);
            m.put("ssim", ssim);
            m.put("clip_feature_distance", clipFeatureDistance);
            m.put("seconds", seconds);
            return m;
        }
    }

    public InversionResult {
        noise = Collections.unmodifiableMap(new LinkedHashMap<>(noise));
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /** Input and reconstruction side by side. */
    public BufferedImage sideBySide() {
        return Images.strip(List.of(input, reconstruction));
    }

    /** The provenance as the JSON written beside the images and into their PNG text chunk. */
    public String provenanceJson() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(provenance);
    }

    /**
     * Writes {@code latent.npy}, {@code noise.npz}, {@code reconstruction.png}, {@code side_by_side.png} (input left,
     * reconstruction right), {@code metrics.json} and {@code provenance.json} into {@code dir} (created if needed;
     * files of the same names are replaced). If any write fails, the files this call created are removed again.
     */
    public void save(Path dir) throws IOException {
        String json = provenanceJson();
        Map<String, String> text = Map.of("styleclip", json);
        String metricsJson = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(metrics.json(method));
        try (OutputFiles out = new OutputFiles()) {
            Path d = out.folder(dir);
            latent.save(out.claim(d.resolve("latent.npy")));
            Npy.writeNpz(out.claim(d.resolve("noise.npz")), noise);
            Images.write(out.claim(d.resolve("reconstruction.png")), reconstruction, text);
            Images.write(out.claim(d.resolve("side_by_side.png")), sideBySide(), text);
            AtomicFiles.write(out.claim(d.resolve("metrics.json")), (metricsJson + "\n").getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(out.claim(d.resolve("provenance.json")), (json + "\n").getBytes(StandardCharsets.UTF_8));
            out.commit();
        }
    }
}
