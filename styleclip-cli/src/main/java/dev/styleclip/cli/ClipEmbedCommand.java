package dev.styleclip.cli;

import dev.styleclip.clip.Clip;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.io.Npy;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = "CLIP embeddings of texts or images, one row each, as float32 [N, D] (raw unless --normalize).")
public final class ClipEmbedCommand implements Callable<Integer> {
    @Option(names = "--clip", required = true, paramLabel = "C", description = "CLIP checkpoint: OpenAI's TorchScript .pt or a state dict.")
    Path clip;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", arity = "1..*", paramLabel = "T", description = "Text(s) to embed.")
        List<String> texts;

        @Option(names = "--image", arity = "1..*", paramLabel = "IMG", description = "Image file(s), preprocessed as CLIP does (bicubic 224, centre crop, mean/std).")
        List<Path> images;

        @Option(names = "--image-tensor", paramLabel = "X.npy", description = "Already preprocessed images [N,3,R,R] (.npy or .pt).")
        Path imageTensor;
    }

    @Option(names = "--truncate", description = "Cut texts longer than the 77-token context instead of failing.")
    boolean truncate;

    @Option(names = "--normalize", description = "L2-normalise each embedding.")
    boolean normalize;

    @Option(names = "--out", required = true, paramLabel = "E.npy", description = "Output embeddings.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (input.texts != null) Texts.tokenize(spec.commandLine(), input.texts, truncate);
        OutputFiles.checkFile(out);
        float[][] e;
        try (Clip c = Clip.load(clip)) {
            if (input.texts != null) e = c.embedTexts(input.texts, truncate ? TruncationPolicy.TRUNCATE : TruncationPolicy.ERROR);
            else if (input.images != null) e = c.embedImages(input.images);
            else e = c.embedImages(Tensors.fromRawAsFloat(TensorFiles.readSingle(input.imageTensor)), input.imageTensor.getFileName().toString());
        }
        if (normalize) e = Clip.unit(e);
        float[] flat = new float[e.length * e[0].length];
        for (int i = 0; i < e.length; i++) System.arraycopy(e[i], 0, flat, i * e[0].length, e[0].length);
        Npy.write(out, RawTensor.ofFloats(flat, e.length, e[0].length));
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
