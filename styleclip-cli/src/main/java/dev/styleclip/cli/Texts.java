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
            throw tooLong(cl, e);
        }
    }

    /** The tokenizer's refusal in the command line's words: the hint names an option the command has, or none. */
    static CommandLine.ParameterException tooLong(CommandLine cl, IllegalArgumentException e) {
        String hint = cl.getCommandSpec().findOption("--truncate") != null ? "; pass --truncate to cut it" : "; shorten it";
        return new CommandLine.ParameterException(cl, e.getMessage().replace(" (TruncationPolicy.TRUNCATE cuts it)", hint));
    }
}
