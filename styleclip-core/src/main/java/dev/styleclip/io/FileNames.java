package dev.styleclip.io;

import java.nio.file.Path;
import java.util.Locale;

/** File names made from prompts and indices, the same way by every command. */
public final class FileNames {
    private FileNames() {
    }

    /** Lower case, runs of anything but letters and digits as one underscore: "Mohawk hairstyle!" -> "mohawk_hairstyle". */
    public static String slug(String prompt) {
        return prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** {@link #slug} cut to {@code max} characters; "prompt" for a prompt without letters or digits. */
    public static String slug(String prompt, int max) {
        String s = slug(prompt);
        return s.isEmpty() ? "prompt" : s.length() > max ? s.substring(0, max) : s;
    }

    /** {@code out.png} numbered {@code i}: {@code out_i.png} (the number before the extension). */
    public static Path numbered(Path file, long i) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot < 0 ? name + "_" + i : name.substring(0, dot) + "_" + i + name.substring(dot);
        return file.resolveSibling(numbered);
    }
}
