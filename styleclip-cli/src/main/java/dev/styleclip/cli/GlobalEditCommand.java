package dev.styleclip.cli;

import com.google.gson.GsonBuilder;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.DirectionsFolder;
import dev.styleclip.edit.global.StyleEdit;
import dev.styleclip.edit.global.StyleStats;
import dev.styleclip.edit.global.TextDirection;
import dev.styleclip.image.Images;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
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

@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit with a global direction: S + alpha * delta_s, where delta_s comes from the prompt pair",
                "(neutral -> target) and the channels whose relevance reaches beta. Several alphas make a strip",
                "(original first). Chain edits with --save-codes and --codes."})
public final class GlobalEditCommand implements Callable<Integer> {
    @Option(names = "--generator", required = true, paramLabel = "G", description = "StyleGAN2 generator checkpoint.")
    Path generator;

    @Option(names = "--clip", required = true, paramLabel = "C", description = "CLIP checkpoint.")
    Path clip;

    @Option(names = "--directions", required = true, paramLabel = "DIR", description = "Folder from 'global prepare' (or with StyleCLIP's fs3.npy and S_mean_std).")
    Path directions;

    @Option(names = "--neutral", required = true, paramLabel = "T", description = "Neutral prompt, e.g. \"face\".")
    String neutral;

    @Option(names = "--target", required = true, paramLabel = "T", description = "Target prompt, e.g. \"face with purple hair\".")
    String target;

    @Option(names = "--alpha", split = ",", defaultValue = "4.1", paramLabel = "A", description = "Strength(s) (default: ${DEFAULT-VALUE}).")
    List<Double> alphas;

    @Option(names = "--beta", defaultValue = "0.15", paramLabel = "B", description = "Relevance threshold; fewer channels move as it grows (default: ${DEFAULT-VALUE}).")
    double beta;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--seed", split = ",", arity = "1..*", paramLabel = "N", description = "Seed(s) of the image(s) to edit.")
        List<Long> seeds;

        @Option(names = "--latent", paramLabel = "FILE", description = "Latent file (.npy or .pt), see --space.")
        Path latent;

        @Option(names = "--codes", paramLabel = "S.npy", description = "Flat S codes [N, sum C] from an earlier --save-codes (chaining).")
        Path codes;
    }

    @Option(names = "--space", defaultValue = "w+", paramLabel = "z|w|w+", description = "Space of --latent (default: ${DEFAULT-VALUE}).")
    String space;

    @Option(names = "--truncation", defaultValue = "0.7", paramLabel = "PSI", description = "Truncation of seeds and latents (default: ${DEFAULT-VALUE}).")
    double truncation;

    @Option(names = "--out", required = true, paramLabel = "IMG", description = "Output image (.png/.jpg).")
    Path out;

    @Option(names = "--save-codes", paramLabel = "S.npy", description = "Write the edited flat S codes (last alpha) for chaining.")
    Path saveCodes;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (beta <= 0 || beta >= 1) throw new CommandLine.ParameterException(spec.commandLine(), "--beta must be in (0, 1)");
        LatentSpace latentSpace = LatentSpace.parse(space);
        DirectionsFolder folder = new DirectionsFolder(directions);
        var o = spec.commandLine().getOut();
        try (Generator g = Generator.load(generator); ClipModel model = ClipModel.load(clip);
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor fs3 = folder.fs3();
            StyleStats stats = folder.stats();
            folder.check(g, fs3, stats);
            String clipSha = Hashes.sha256(clip);
            TextDirection text = new TextDirection(model);
            Tensor dt = folder.direction(text, clipSha, checked(text, neutral), checked(text, target));
            Boundary b = Boundary.of(fs3, dt, g.styleLayout(), stats.std(), beta);
            o.printf("beta=%.3f changes %d of %d channels%n", beta, b.channels(), fs3.size(0));
            Tensor s = codes(g, latentSpace);
            List<Tensor> edited = new ArrayList<>();
            for (double a : alphas) edited.add(StyleEdit.apply(s, b.deltaS(), a));
            write(g, s, edited, provenance(clipSha, b));
            if (saveCodes != null) {
                Npy.write(saveCodes, Tensors.toRaw(edited.get(edited.size() - 1)));
                o.println("wrote " + saveCodes);
            }
        }
        o.flush();
        return 0;
    }

    private String checked(TextDirection text, String prompt) {
        try {
            text.tokens(prompt);
            return prompt;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Tensor codes(Generator g, LatentSpace latentSpace) throws java.io.IOException {
        if (source.codes != null) {
            Tensor c = Tensors.fromRawAsFloat(TensorFiles.readSingle(source.codes));
            return c.dim() == 1 ? c.unsqueeze(0) : c;
        }
        Tensor wplus;
        if (source.latent != null) {
            wplus = Latents.toWPlus(g, Tensors.fromRawAsFloat(TensorFiles.readSingle(source.latent)), latentSpace, truncation);
        } else {
            var zs = new org.bytedeco.pytorch.TensorVector();
            for (long seed : source.seeds) zs.push_back(Latents.seedZ(seed, g.config().styleDim()));
            wplus = Latents.toWPlus(g, org.bytedeco.pytorch.global.torch.cat(zs, 0), LatentSpace.Z, truncation);
        }
        return StyleCodes.flatten(g.styles(wplus));
    }

    private void write(Generator g, Tensor s, List<Tensor> edited, Map<String, String> text) throws java.io.IOException {
        Tensor original = g.synthesizeFromStyles(StyleCodes.unflatten(s, g.styleLayout()), NoiseMode.CONST);
        List<Tensor> images = new ArrayList<>();
        for (Tensor e : edited) images.add(g.synthesizeFromStyles(StyleCodes.unflatten(e, g.styleLayout()), NoiseMode.CONST));
        int n = (int) s.size(0);
        var o = spec.commandLine().getOut();
        for (int i = 0; i < n; i++) {
            List<BufferedImage> row = new ArrayList<>();
            if (edited.size() > 1) row.add(Images.toImage(original, i));
            for (Tensor img : images) row.add(Images.toImage(img, i));
            Path p = n == 1 ? out : GenerateCommand.numbered(out, source.seeds != null ? source.seeds.get(i) : i);
            Images.write(p, Images.strip(row), text);
            o.println("wrote " + p);
        }
    }

    private Map<String, String> provenance(String clipSha, Boundary b) throws java.io.IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip global edit");
        p.put("generator_sha256", Hashes.sha256(generator));
        p.put("clip_sha256", clipSha);
        p.put("directions", directions.toString());
        p.put("neutral", neutral);
        p.put("target", target);
        p.put("alphas", alphas);
        p.put("beta", beta);
        p.put("channels", b.channels());
        if (source.seeds != null) p.put("seeds", source.seeds);
        if (source.latent != null) p.put("latent_sha256", Hashes.sha256(source.latent));
        if (source.codes != null) p.put("codes_sha256", Hashes.sha256(source.codes));
        p.put("truncation", truncation);
        return Map.of("styleclip", new GsonBuilder().create().toJson(p));
    }
}
