package dev.styleclip.cli;

import dev.styleclip.io.FileNames;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.io.OutputFiles;
import com.google.gson.GsonBuilder;
import dev.styleclip.image.Images;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate images with a StyleGAN2 generator from seeds or a latent file.",
                "Several seeds (or a latent batch) write one image each: OUT with _<i> before the extension. Files of the same "
                        + "names are replaced; a run that fails leaves none of its files."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--generator", required = true, paramLabel = "G",
            description = "Generator checkpoint ({'g_ema', 'latent_avg'}, rosinality training dict, or a state dict).")
    Path generator;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--seed", split = ",", arity = "1..*", paramLabel = "N",
                description = "One or more seeds (z = randn(1, D) after torch.manual_seed(N)).")
        List<Long> seeds;

        @Option(names = "--latent", paramLabel = "FILE", description = "A latent file (.npy, or .pt holding one tensor).")
        Path latent;
    }

    @Option(names = "--space", paramLabel = "z|w|w+",
            description = "Space of the --latent file: z [N,D], w [N,D] or w+ [N,L,D] (default: w+ for a file of three "
                    + "dimensions, such as the latent.npy of invert, edit and optimize; z otherwise).")
    String space;

    @Option(names = "--truncation", defaultValue = "1.0", paramLabel = "PSI",
            description = "Truncation towards the mean latent; 1 = none (default: ${DEFAULT-VALUE}).")
    double truncation;

    @Option(names = "--noise", defaultValue = "const", paramLabel = "const|random|zero",
            description = "Noise: the checkpoint's fixed buffers, fresh random, or none (default: ${DEFAULT-VALUE}).")
    String noise;

    @Option(names = "--out", required = true, paramLabel = "IMG", description = "Output image (.png or .jpg).")
    Path out;

    @Option(names = "--out-tensor", paramLabel = "X.npy", description = "Also write the raw float32 [N,3,H,W] output, before clamping.")
    Path outTensor;

    @Option(names = "--save-latent", paramLabel = "W.npy", description = "Also write the W+ latent [N,L,D] (reusable with --space w+).")
    Path saveLatent;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (source.seeds != null && space != null) throw usage("--space applies to --latent only");
        LatentSpace latentSpace = OptionChecks.latentSpace("space", space != null ? space
                : source.latent != null && dev.styleclip.io.TensorFiles.readSingle(source.latent).shape().length == 3 ? "w+" : "z");
        NoiseMode noiseMode = noise();
        Checks.openClosed("truncation", truncation, 0, 1);
        OutputFiles.checkFile(out);
        if (outTensor != null) OutputFiles.checkFile(outTensor);
        if (saveLatent != null) OutputFiles.checkFile(saveLatent);
        try (Generator g = Generator.load(generator); PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard();
             OutputFiles files = new OutputFiles()) {
            Tensor wplus = latents(g, latentSpace);
            Tensor images = g.synthesize(wplus, noiseMode);
            List<Path> written = writeImages(files, images, provenance(latentSpace));
            if (outTensor != null) Npy.write(files.claim(outTensor), Tensors.toRaw(images));
            if (saveLatent != null) Npy.write(files.claim(saveLatent), Tensors.toRaw(wplus));
            files.commit();
            var o = spec.commandLine().getOut();
            for (Path p : written) o.println("wrote " + p);
            if (outTensor != null) o.println("wrote " + outTensor);
            if (saveLatent != null) o.println("wrote " + saveLatent);
            o.flush();
        }
        return 0;
    }

    private Tensor latents(Generator g, LatentSpace latentSpace) throws java.io.IOException {
        return source.latent != null ? Latents.read(g, source.latent, latentSpace, truncation) : Latents.ofSeeds(g, source.seeds, truncation);
    }

    private List<Path> writeImages(OutputFiles files, Tensor images, Map<String, String> text) throws java.io.IOException {
        List<Path> written = new ArrayList<>();
        int n = (int) images.size(0);
        for (int i = 0; i < n; i++) {
            Path p = n == 1 ? out : FileNames.numbered(out, source.seeds != null ? source.seeds.get(i) : i);
            Images.write(files.claim(p), Images.toImage(images, i), text);
            written.add(p);
        }
        return written;
    }

    private Map<String, String> provenance(LatentSpace latentSpace) throws java.io.IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip generate");
        p.put("generator", generator.toString());
        p.put("generator_sha256", Hashes.sha256(generator));
        if (source.seeds != null) p.put("seeds", source.seeds);
        if (source.latent != null) {
            p.put("latent", source.latent.toString());
            p.put("latent_sha256", Hashes.sha256(source.latent));
            p.put("space", latentSpace.name());
        }
        p.put("truncation", truncation);
        p.put("noise", noise);
        return Map.of("styleclip", new GsonBuilder().create().toJson(p));
    }

    private NoiseMode noise() {
        try {
            return NoiseMode.valueOf(noise.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SettingException("noise", "must be const, random or zero, not " + noise);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
