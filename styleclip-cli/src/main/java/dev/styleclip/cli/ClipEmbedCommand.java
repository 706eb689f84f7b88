package dev.styleclip.cli;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.preprocess.ClipImagePreprocess;
import dev.styleclip.io.Npy;
import dev.styleclip.io.TensorFiles;
import dev.styleclip.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
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
        int[][] tokens = input.texts != null ? Texts.tokenize(spec.commandLine(), input.texts, truncate) : null;
        dev.styleclip.io.OutputFiles.checkFile(out);
        try (ClipModel model = ClipModel.load(clip); PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Tensor e;
            if (tokens != null) {
                e = model.encodeText(tokens);
            } else {
                e = model.encodeImage(input.imageTensor != null ? imageTensor(input.imageTensor) : images(input.images, model.config().imageResolution()));
            }
            if (normalize) e = e.div(e.norm(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(2.0)), new long[] {1}, true));
            Npy.write(out, Tensors.toRaw(e));
        }
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static Tensor imageTensor(Path file) throws java.io.IOException {
        Tensor t = Tensors.fromRawAsFloat(TensorFiles.readSingle(file));
        Tensors.requireFinite(file.getFileName().toString(), t);
        return t;
    }

    static Tensor images(List<Path> files, int s) throws java.io.IOException {
        TensorVector v = new TensorVector();
        for (Path f : files) v.push_back(Tensors.floats(ClipImagePreprocess.preprocess(f, s), 1, 3, s, s));
        return torch.cat(v, 0);
    }
}
