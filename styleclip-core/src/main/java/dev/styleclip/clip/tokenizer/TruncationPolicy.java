package dev.styleclip.clip.tokenizer;

/**
 * What {@link ClipTokenizer#tokenize} does with a text whose ids (start and end tokens included) do not fit in
 * {@link ClipTokenizer#CONTEXT_LENGTH}. Mirrors the {@code truncate} argument of openai/CLIP's
 * {@code clip.tokenize} ({@code clip/clip.py}).
 */
public enum TruncationPolicy {
    /** Reject the text with an {@link IllegalArgumentException} ({@code truncate=False}, CLIP's default). */
    ERROR,
    /** Keep the first 77 ids and overwrite the last one with the end token ({@code truncate=True}). */
    TRUNCATE
}
