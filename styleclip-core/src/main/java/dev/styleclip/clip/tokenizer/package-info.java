/**
 * CLIP's byte-level BPE tokenizer in pure Java: {@link dev.styleclip.clip.tokenizer.ClipTokenizer} gives the same
 * ids as openai/CLIP's {@code clip.tokenize} ({@code clip/simple_tokenizer.py}, {@code SimpleTokenizer}) for every
 * text that ftfy leaves alone, using OpenAI's bundled {@code bpe_simple_vocab_16e6.txt.gz} (MIT, see
 * {@code LICENSE-CLIP-vocab} next to it).
 */
package dev.styleclip.clip.tokenizer;
