package dev.styleclip.edit.global;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonParser;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.DType;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A folder of global-direction data, in the reference's file layout where it has one:
 * <pre>
 *   fs3.npy            [rows, clip_dim] float32 channel relevance (SingleChannel.py's file)
 *   rows.npy           [rows, 2] int32: (S index, channel) of each fs3 row
 *   s_mean.npy, s_std.npy   [sum C] float32 S statistics (or the reference's pickle S_mean_std)
 *   prepare.json       how it was made: settings and the SHA-256 of the generator and CLIP files
 *   work/              chunks of an unfinished preparation (removed when fs3.npy is written)
 * </pre>
 * A folder holding only the published {@code fs3.npy} and {@code S_mean_std} works for editing.
 */
public final class DirectionsFolder {
    private final Path dir;

    public DirectionsFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Tensor fs3() throws IOException {
        Path f = dir.resolve("fs3.npy");
        if (!Files.exists(f)) {
            throw new CheckpointException(f, "missing: run 'styleclip global prepare' into this folder, or put StyleCLIP's published fs3.npy there");
        }
        return PublishedFiles.readFs3(f);
    }

    /** Our s_mean/s_std, else the reference's S_mean_std pickle. */
    public StyleStats stats() throws IOException {
        if (Files.exists(dir.resolve("s_std.npy"))) return StyleStats.read(dir.resolve("s_mean.npy"), dir.resolve("s_std.npy"));
        Path pickle = dir.resolve("S_mean_std");
        if (Files.exists(pickle)) return PublishedFiles.readStyleMeanStd(pickle);
        throw new CheckpointException(dir.resolve("s_std.npy"), "missing: no S statistics (s_mean.npy/s_std.npy or StyleCLIP's S_mean_std)");
    }

    /**
     * Runs or resumes preparation into this folder. A folder holding an unfinished run with other settings or
     * other model files is refused (its chunks would not fit).
     */
    public Tensor prepare(Generator g, ClipModel clip, Map<String, Object> provenance, int samples, long seed,
                          RelevancePreparation.Settings settings, RelevancePreparation.Progress progress) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> record = new LinkedHashMap<>(provenance);
        record.put("samples", samples);
        record.put("seed", seed);
        record.put("settings", settings);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(record);
        Path meta = dir.resolve("prepare.json");
        if (Files.exists(meta) && Files.isDirectory(dir.resolve("work"))) {
            String old = Files.readString(meta);
            if (!JsonParser.parseString(old).equals(JsonParser.parseString(json))) {
                throw new CheckpointException(meta, "an unfinished preparation with other settings or model files is in this folder; "
                        + "use another --out folder or delete it");
            }
        }
        AtomicFiles.write(meta, json.getBytes(StandardCharsets.UTF_8));
        StyleStats stats;
        if (Files.exists(dir.resolve("s_std.npy"))) {
            stats = StyleStats.read(dir.resolve("s_mean.npy"), dir.resolve("s_std.npy"));
        } else {
            stats = StyleStats.sample(g, samples, seed, 1024);
            stats.write(dir.resolve("s_mean.npy"), dir.resolve("s_std.npy"));
        }
        RelevancePreparation prep = new RelevancePreparation(g, clip, stats, settings);
        // the M images are the first M samples of the same draw (the reference's img_sindex = 0)
        torch.manual_seed(seed);
        Tensor z = torch.randn(samples, g.config().styleDim()).narrow(0, 0, settings.numImages());
        Tensor base = StyleStats.styleCodes(g, z, 1024);
        Tensor fs3 = prep.run(base, dir.resolve("work"), progress);
        Npy.write(dir.resolve("fs3.npy"), Tensors.toRaw(fs3));
        Npy.write(dir.resolve("rows.npy"), rows(prep.rows()));
        deleteTree(dir.resolve("work"));
        return fs3;
    }

    private static RawTensor rows(int[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(rows.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] r : rows) b.putInt(r[0]).putInt(r[1]);
        b.flip();
        return new RawTensor(DType.INT32, new long[] {rows.length, 2}, b);
    }

    /** Checks that fs3 and the statistics fit this generator. */
    public void check(Generator g, Tensor fs3, StyleStats stats) throws CheckpointException {
        int total = StyleCodes.totalChannels(g.styleLayout());
        if (stats.std().numel() != total) {
            throw new CheckpointException(dir + ": S statistics have " + stats.std().numel() + " channels, this generator's S has " + total);
        }
        int conv = 0;
        for (var l : g.styleLayout()) if (!l.toRgb()) conv += l.channels();
        if (fs3.size(0) > conv) {
            throw new CheckpointException(dir + ": fs3 has " + fs3.size(0) + " rows, more than the " + conv + " non-ToRGB channels of this generator");
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
