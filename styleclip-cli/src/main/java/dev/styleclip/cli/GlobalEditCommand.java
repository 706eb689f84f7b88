package dev.styleclip.cli;

import dev.styleclip.io.FileNames;
import com.google.gson.GsonBuilder;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.check.Checks;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.image.Images;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.Npy;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.LatentSpace;
import dev.styleclip.stylegan2.Latents;
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
        description = {"Edit images with a global direction in style space (StyleCLIP's third method).",
                "The edit is S + alpha * delta_s, where delta_s comes from the prompt pair (neutral -> target) and the channels "
                        + "whose relevance reaches beta. Several alphas make a strip (original first); several seeds write one "
                        + "image each (OUT with _<seed> before the extension). Chain edits with --save-codes and --codes. Files "
                        + "of the same names are replaced; a run that fails leaves none of its files."})
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
        LatentSpace latentSpace = OptionChecks.latentSpace("space", space);
        Checks.openClosed("truncation", truncation, 0, 1);
        for (double a : alphas) new GlobalDirections.Settings(neutral, target, a, beta); // checks every alpha, beta and the texts
        OutputFiles.checkFile(out);
        if (saveCodes != null) OutputFiles.checkFile(saveCodes);
        var o = spec.commandLine().getOut();
        try (Generator g = Generator.load(generator); ClipModel model = ClipModel.load(clip);
             GlobalDirections gd = GlobalDirections.open(g, model, Hashes.sha256(clip), directions);
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard(); OutputFiles files = new OutputFiles()) {
            checked(gd, neutral);
            checked(gd, target);
            Boundary b = gd.boundary(neutral, target, beta);
            o.printf("beta=%.3f changes %d of %d channels%n", beta, b.channels(), b.projection().size(0));
            Tensor s = codes(g, latentSpace);
            List<Tensor> edited = new ArrayList<>();
            for (double a : alphas) edited.add(gd.editCodes(s, b, a));
            write(gd, files, s, edited, provenance(Hashes.sha256(clip), b));
            if (saveCodes != null) {
                Npy.write(files.claim(saveCodes), Tensors.toRaw(edited.get(edited.size() - 1)));
                o.println("wrote " + saveCodes);
            }
            files.commit();
        }
        o.flush();
        return 0;
    }

    private void checked(GlobalDirections gd, String prompt) {
        try {
            gd.checkPrompt(prompt);
        } catch (IllegalArgumentException e) {
            throw Texts.tooLong(spec.commandLine(), e);
        }
    }

    private Tensor codes(Generator g, LatentSpace latentSpace) throws java.io.IOException {
        if (source.codes != null) {
            Tensor c = Latents.readFinite(source.codes);
            return c.dim() == 1 ? c.unsqueeze(0) : c;
        }
        Tensor wplus = source.latent != null ? Latents.read(g, source.latent, latentSpace, truncation) : Latents.ofSeeds(g, source.seeds, truncation);
        return dev.styleclip.stylegan2.StyleCodes.flatten(g.styles(wplus));
    }

    private void write(GlobalDirections gd, OutputFiles files, Tensor s, List<Tensor> edited, Map<String, String> text) throws java.io.IOException {
        Tensor original = gd.image(s);
        List<Tensor> images = new ArrayList<>();
        for (Tensor e : edited) images.add(gd.image(e));
        int n = (int) s.size(0);
        var o = spec.commandLine().getOut();
        for (int i = 0; i < n; i++) {
            List<BufferedImage> row = new ArrayList<>();
            if (edited.size() > 1) row.add(Images.toImage(original, i));
            for (Tensor img : images) row.add(Images.toImage(img, i));
            Path p = n == 1 ? out : FileNames.numbered(out, source.seeds != null ? source.seeds.get(i) : i);
            Images.write(files.claim(p), Images.strip(row), text);
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
