package dev.styleclip.cli;

import dev.styleclip.check.Checks;
import dev.styleclip.io.OutputFiles;
import com.google.gson.GsonBuilder;
import dev.styleclip.edit.mapper.DecoderWeights;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import dev.styleclip.edit.mapper.MapperEdit;
import dev.styleclip.edit.mapper.MapperLevel;
import dev.styleclip.image.Images;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Apply a trained mapper (mapper/scripts/inference.py): w_hat = w + 0.1 * M(w), the edited image",
                "decoder(w_hat) and the original decoder(w) (fixed noise, no truncation of W+ codes), in batches.",
                "Writes OUT/edited_<i>.png, OUT/strip_<i>.png (before | after), OUT/w_hat.npy and OUT/w_hat.pt [N, L, style_dim]",
                "(style_dim 512 for FFHQ). The mapper's width must be the generator's style_dim. Files of the same names",
                "are replaced; a run that fails or is stopped leaves none of its files."})
public final class MapperApplyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "M",
            description = "Mapper checkpoint ({'state_dict', 'opts'}, as StyleCLIP's coach and this tool write it; the published mappers).")
    Path checkpoint;

    @Option(names = "--generator", paramLabel = "G",
            description = "Generator checkpoint to use instead of the decoder stored in the mapper checkpoint (needed if it has none).")
    Path generator;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--latent", paramLabel = "FILE",
                description = "Latents to edit (.pt or .npy): W+ [N, L, style_dim] (512 for FFHQ; e.g. e4e inversions) or as --space says.")
        Path latent;

        @Option(names = "--seed", split = ",", arity = "1..*", paramLabel = "N",
                description = "Seeds: z = randn(1, style_dim) after torch.manual_seed(N), mapped and truncated (--truncation).")
        List<Long> seeds;
    }

    @Option(names = "--space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of the --latent file (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(names = "--truncation", defaultValue = "0.7", paramLabel = "PSI",
            description = "Truncation of seeds (and of z / w files) towards the mean latent; 1 = none (default: ${DEFAULT-VALUE}).")
    double truncation;

    @Option(names = "--levels", split = ",", paramLabel = "L",
            description = "Active sub-mappers among those in the checkpoint: coarse, medium, fine (default: all it has).")
    List<String> levels;

    @Option(names = "--batch-size", defaultValue = "2", paramLabel = "B", description = "Latents per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("batch-size", batchSize, 1);
        Checks.openClosed("truncation", truncation, 0, 1);
        LatentSpace latentSpace = OptionChecks.latentSpace("space", space);
        OutputFiles.checkFolder(out);
        MapperCheckpoint ckpt = MapperCheckpoint.read(checkpoint);
        Set<MapperLevel> active = levels == null ? ckpt.levels() : MapperCommand.levels(spec.commandLine(), levels);
        if (!ckpt.levels().containsAll(active)) {
            throw usage("--levels " + String.join(",", levels) + ": the checkpoint has only " + ckpt.levels());
        }
        DecoderWeights decoder = generator != null ? DecoderWeights.fromGeneratorFile(generator) : ckpt.decoder();
        if (ckpt.width() != decoder.config().styleDim()) {
            throw new dev.styleclip.io.CheckpointException(checkpoint,
                    LevelsMapper.widthMismatch(ckpt.width(), decoder.config().styleDim(), decoder.source()));
        }
        var o = spec.commandLine().getOut();
        List<RawTensor> wHats = new ArrayList<>();
        Map<String, String> text = Map.of("styleclip", new GsonBuilder().create().toJson(provenance(ckpt, active, latentSpace)));
        try (LevelsMapper mapper = ckpt.mapper(active); Generator g = decoder.generator();
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard(); OutputFiles files = new OutputFiles()) {
            files.folder(out);
            Tensor w = latents(g, latentSpace);
            MapperEdit.applyInBatches(mapper, g, w, batchSize, (first, r) -> {
                wHats.add(Tensors.toRaw(r.wHat()));
                for (int i = 0; i < r.wHat().size(0); i++) {
                    String name = name(first + i);
                    Path edited = out.resolve("edited_" + name + ".png");
                    Path strip = out.resolve("strip_" + name + ".png");
                    Images.write(files.claim(edited), Images.toImage(r.edited(), i), text);
                    Images.write(files.claim(strip), Images.strip(List.of(Images.toImage(r.original(), i), Images.toImage(r.edited(), i))), text);
                    o.println("wrote " + edited);
                    o.println("wrote " + strip);
                }
            });
            RawTensor all = concat(wHats);
            Npy.write(files.claim(out.resolve("w_hat.npy")), all);
            TorchWriter.writeZip(files.claim(out.resolve("w_hat.pt")), all);
            files.commit();
        }
        o.println("wrote " + out.resolve("w_hat.npy"));
        o.println("wrote " + out.resolve("w_hat.pt"));
        o.flush();
        return 0;
    }

    private String name(int index) {
        return source.seeds != null ? "seed" + source.seeds.get(index) : String.format("%05d", index);
    }

    private Tensor latents(Generator g, LatentSpace latentSpace) throws java.io.IOException {
        if (source.latent != null) {
            Tensor t = Tensors.fromRawAsFloat(TensorFiles.readSingle(source.latent));
            Tensors.requireFinite(source.latent.getFileName().toString(), t);
            return Latents.toWPlus(g, t, latentSpace, latentSpace == LatentSpace.W_PLUS ? 1.0 : truncation);
        }
        TensorVector zs = new TensorVector();
        for (long s : source.seeds) zs.push_back(Latents.seedZ(s, g.config().styleDim()));
        return Latents.toWPlus(g, torch.cat(zs, 0), LatentSpace.Z, truncation);
    }

    private static RawTensor concat(List<RawTensor> parts) {
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

    private Map<String, Object> provenance(MapperCheckpoint ckpt, Set<MapperLevel> active, LatentSpace latentSpace) throws java.io.IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip mapper apply");
        p.put("method", "latent mapper: w + 0.1 * M(w)");
        p.put("checkpoint", checkpoint.toString());
        p.put("checkpoint_sha256", Hashes.sha256(checkpoint));
        p.put("description", ckpt.opts().get("description"));
        p.put("levels", active.stream().map(MapperLevel::label).toList());
        if (generator != null) {
            p.put("generator", generator.toString());
            p.put("generator_sha256", Hashes.sha256(generator));
        }
        if (source.seeds != null) {
            p.put("seeds", source.seeds);
            p.put("truncation", truncation);
        } else {
            p.put("latent", source.latent.toString());
            p.put("latent_sha256", Hashes.sha256(source.latent));
            p.put("space", latentSpace.name());
        }
        p.put("noise", "const");
        return p;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
