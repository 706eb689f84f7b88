package dev.styleclip.cli;

import dev.styleclip.clip.Clip;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score how well each image matches each text with CLIP.",
                "Prints one line per image and text: the cosine similarity of the CLIP embeddings and CLIP's logit "
                        + "(exp(logit_scale) x cosine)."})
public final class ClipScoreCommand implements Callable<Integer> {
    @Option(names = "--clip", required = true, paramLabel = "C", description = "CLIP checkpoint.")
    Path clip;

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "IMG", description = "Image file(s).")
    List<Path> images;

    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "T", description = "Text(s).")
    List<String> texts;

    @Option(names = "--truncate", description = "Cut texts longer than the 77-token context instead of failing.")
    boolean truncate;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Texts.tokenize(spec.commandLine(), texts, truncate);
        var o = spec.commandLine().getOut();
        try (Clip c = Clip.load(clip)) {
            float[][] logits = c.logits(images, texts, truncate ? TruncationPolicy.TRUNCATE : TruncationPolicy.ERROR); // [images, texts]
            double scale = c.logitScale();
            for (int i = 0; i < images.size(); i++) {
                for (int t = 0; t < texts.size(); t++) {
                    float logit = logits[i][t];
                    o.printf("cosine=%.4f logit=%.2f image=%s text=\"%s\"%n", logit / scale, logit, images.get(i), texts.get(t));
                }
            }
        }
        o.flush();
        return 0;
    }
}
