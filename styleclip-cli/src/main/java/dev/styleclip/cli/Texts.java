package dev.styleclip.cli;

import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import java.util.List;
import picocli.CommandLine;

/** Tokenizing command-line prompts; a prompt too long for CLIP's context is a usage error (exit 2). */
final class Texts {
    private Texts() {
    }

    static int[][] tokenize(CommandLine cl, List<String> texts, boolean truncate) {
        try {
            return ClipTokenizer.load().tokenize(texts, truncate ? TruncationPolicy.TRUNCATE : TruncationPolicy.ERROR);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().replace("use TruncationPolicy.TRUNCATE", "pass --truncate"));
        }
    }
}
