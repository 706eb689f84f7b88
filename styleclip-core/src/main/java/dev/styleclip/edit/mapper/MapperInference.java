package dev.styleclip.edit.mapper;

import com.google.gson.GsonBuilder;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.image.Images;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * mapper/scripts/inference.py as one call: applies a mapper checkpoint to latents in batches ({@link MapperEdit}) and
 * writes into one folder {@code edited_<name>.png} (decoder(w_hat)), {@code strip_<name>.png} (decoder(w) | decoder(w_hat))
 * for each latent, then {@code w_hat.npy} and {@code w_hat.pt} [N, L, style_dim]; the images carry their provenance
 * (checkpoint and input hashes, levels, seeds or latent file) as PNG text {@code styleclip}. A latent is named
 * {@code seed<N>} when it comes from a seed and {@code 00000}, {@code 00001}, ... when from a file. Everything is
 * written through {@link OutputFiles}: files of the same names are replaced, and a run that fails or is stopped
 * ({@link dev.styleclip.stop.Stop}) leaves none of its files.
 */
public final class MapperInference {
    private MapperInference() {
    }

    /** Where the latents to edit come from. */
    public sealed interface Source permits LatentFile, Seeds {
    }

    /**
     * Latents from a file.
     *
     * @param file  .pt or .npy: W+ [N, L, style_dim] (e.g. e4e inversions), or z / w as {@code space} says
     * @param space the file's latent space (z and w are mapped and truncated, W+ is taken as it is)
     */
    public record LatentFile(Path file, LatentSpace space) implements Source {
        public LatentFile {
            Checks.given("latent", file);
            Checks.given("space", space);
        }
    }

    /**
     * Latents from seeds: {@code z = randn(1, style_dim)} after {@code torch.manual_seed(seed)}, mapped and truncated.
     *
     * @param seeds at least one seed
     */
    public record Seeds(List<Long> seeds) implements Source {
        public Seeds {
            if (Checks.given("seed", seeds).isEmpty()) throw new SettingException("seed", "needs at least one seed");
            seeds = List.copyOf(seeds);
        }
    }

    /**
     * What to apply to what, and where to write it.
     *
     * @param checkpoint the mapper checkpoint ({'state_dict', 'opts'}, as the coach writes it)
     * @param generator  a generator checkpoint to use instead of the decoder stored in the mapper checkpoint, or null
     * @param levels     the active sub-mappers, all present in the checkpoint; null for all it has
     * @param source     the latents
     * @param truncation truncation towards the mean latent of seeds and of z / w files, in (0, 1]; 1 = none
     * @param batchSize  latents per batch, at least 1
     * @param out        the output folder
     */
    public record Settings(Path checkpoint, Path generator, Set<MapperLevel> levels, Source source, double truncation,
                           int batchSize, Path out) {
        public Settings {
            Checks.given("checkpoint", checkpoint);
            Checks.given("source", source);
            Checks.openClosed("truncation", truncation, 0, 1);
            Checks.atLeast("batch-size", batchSize, 1);
            Checks.given("out", out);
            if (levels != null && levels.isEmpty()) throw new SettingException("levels", "needs at least one of coarse, medium, fine");
            if (levels != null) levels = Collections.unmodifiableSet(EnumSet.copyOf(levels));
        }
    }

    /**
     * Applies the mapper and writes the files, reporting each to {@code written} once its bytes are out: the images as
     * they are written, w_hat.npy and w_hat.pt once the whole set has been put in place.
     *
     * @return the files written, in that order
     * @throws SettingException    naming {@code levels} when the checkpoint lacks an asked-for level
     * @throws CheckpointException when the mapper's width is not the generator's style_dim
     */
    public static List<Path> run(Settings s, Consumer<Path> written) throws IOException {
        OutputFiles.checkFolder(s.out());
        MapperCheckpoint ckpt = MapperCheckpoint.read(s.checkpoint());
        Set<MapperLevel> active = s.levels() == null ? ckpt.levels() : s.levels();
        if (!ckpt.levels().containsAll(active)) {
            throw new SettingException("levels", String.join(",", labels(active)) + ": the checkpoint has only " + ckpt.levels());
        }
        DecoderWeights decoder = s.generator() != null ? DecoderWeights.fromGeneratorFile(s.generator()) : ckpt.decoder();
        if (ckpt.width() != decoder.config().styleDim()) {
            throw new CheckpointException(s.checkpoint(), LevelsMapper.widthMismatch(ckpt.width(), decoder.config().styleDim(), decoder.source()));
        }
        Map<String, String> text = Map.of("styleclip", new GsonBuilder().create().toJson(provenance(s, ckpt, active)));
        List<Path> files = new ArrayList<>();
        List<RawTensor> wHats = new ArrayList<>();
        try (LevelsMapper mapper = ckpt.mapper(active); Generator g = decoder.generator();
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard(); OutputFiles outputs = new OutputFiles()) {
            outputs.folder(s.out());
            MapperEdit.applyInBatches(mapper, g, latents(s, g), s.batchSize(), (first, r) -> {
                wHats.add(Tensors.toRaw(r.wHat()));
                for (int i = 0; i < r.wHat().size(0); i++) {
                    String name = name(s.source(), first + i);
                    Path edited = s.out().resolve("edited_" + name + ".png");
                    Path strip = s.out().resolve("strip_" + name + ".png");
                    Images.write(outputs.claim(edited), Images.toImage(r.edited(), i), text);
                    Images.write(outputs.claim(strip), Images.strip(List.of(Images.toImage(r.original(), i), Images.toImage(r.edited(), i))), text);
                    report(files, written, edited);
                    report(files, written, strip);
                }
            });
            RawTensor all = concat(wHats);
            Npy.write(outputs.claim(s.out().resolve("w_hat.npy")), all);
            TorchWriter.writeZip(outputs.claim(s.out().resolve("w_hat.pt")), all);
            outputs.commit();
        }
        report(files, written, s.out().resolve("w_hat.npy"));
        report(files, written, s.out().resolve("w_hat.pt"));
        return files;
    }

    private static void report(List<Path> files, Consumer<Path> written, Path file) {
        files.add(file);
        written.accept(file);
    }

    private static List<String> labels(Set<MapperLevel> levels) {
        return levels.stream().sorted().map(MapperLevel::label).toList();
    }

    /** A latent's name in the output files: seed3, or its index 00000, 00001, ... in the latent file. */
    static String name(Source source, int index) {
        return source instanceof Seeds s ? "seed" + s.seeds().get(index) : String.format("%05d", index);
    }

    /** The latents as W+ [N, L, style_dim] of {@code g}; a file holding NaN or infinities is refused. */
    private static Tensor latents(Settings s, Generator g) throws IOException {
        if (s.source() instanceof LatentFile f) return Latents.read(g, f.file(), f.space(), f.space() == LatentSpace.W_PLUS ? 1.0 : s.truncation());
        return Latents.ofSeeds(g, ((Seeds) s.source()).seeds(), s.truncation());
    }

    /** The batches' w_hat [B_i, L, D] stacked along the first dimension. */
    static RawTensor concat(List<RawTensor> parts) {
        long rows = 0;
        long[] shape = parts.get(0).shape();
        for (RawTensor p : parts) rows += p.shape()[0];
        float[] all = new float[Math.toIntExact(rows * shape[1] * shape[2])];
        int at = 0;
        for (RawTensor p : parts) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return RawTensor.ofFloats(all, rows, shape[1], shape[2]);
    }

    /** What the images carry: the tool, the method, the checkpoint (and generator) with hashes, the levels, the input. */
    static Map<String, Object> provenance(Settings s, MapperCheckpoint ckpt, Set<MapperLevel> active) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip mapper apply");
        p.put("method", "latent mapper: w + 0.1 * M(w)");
        p.put("checkpoint", s.checkpoint().toString());
        p.put("checkpoint_sha256", Hashes.sha256(s.checkpoint()));
        p.put("description", ckpt.opts().get("description"));
        p.put("levels", labels(active));
        if (s.generator() != null) {
            p.put("generator", s.generator().toString());
            p.put("generator_sha256", Hashes.sha256(s.generator()));
        }
        if (s.source() instanceof Seeds seeds) {
            p.put("seeds", seeds.seeds());
            p.put("truncation", s.truncation());
        } else {
            LatentFile f = (LatentFile) s.source();
            p.put("latent", f.file().toString());
            p.put("latent_sha256", Hashes.sha256(f.file()));
            p.put("space", f.space().name());
        }
        p.put("noise", "const");
        return p;
    }
}
