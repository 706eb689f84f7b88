package dev.styleclip.clip.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer: a Java port of openai/CLIP {@code clip/simple_tokenizer.py}
 * ({@code SimpleTokenizer}) plus the padding/truncation of {@code clip.tokenize} ({@code clip/clip.py}).
 *
 * <p>Pipeline of {@link #encode}, as in {@code SimpleTokenizer.encode}:
 * <ol>
 *   <li>{@code ftfy.fix_text} is <b>not</b> applied (no ftfy port). Texts that ftfy would change (curly quotes,
 *       full-width letters, ligatures such as "ﬁ", mojibake such as "Ã©", non-NFC text) can get other ids than
 *       the Python reference; plain text, accents, CJK, emoji etc. are unaffected.</li>
 *   <li>Python's {@code html.unescape}, twice ({@link HtmlEntities}: numeric references, HTML 4 names plus the
 *       semicolon-free legacy names).</li>
 *   <li>{@code str.strip()}, {@code \s+} to one space (Unicode White_Space, so U+00A0 and U+3000 too),
 *       {@code str.strip()}.</li>
 *   <li>Python's {@code str.lower()} (full mapping: "İ" becomes "i̇", and Python's final-sigma rule).</li>
 *   <li>Pre-tokenizing with CLIP's regex, mapping each piece's UTF-8 bytes to printable symbols
 *       ({@code bytes_to_unicode}) and merging them by BPE rank, with "&lt;/w&gt;" on the last symbol.</li>
 * </ol>
 *
 * <p>Unicode properties come from the running JDK (Unicode 13 on Java 17); Python's tables may be newer, so
 * characters assigned after that may be split differently. Instances are immutable apart from a synchronized
 * word cache, so one instance can be shared by threads; {@link #load()} parses 48,894 merges, so reuse it.
 */
public final class ClipTokenizer {

    /** Ids per text, start and end tokens included ({@code context_length} of {@code clip.tokenize}). */
    public static final int CONTEXT_LENGTH = 77;
    /** Id of {@code <|startoftext|>}. */
    public static final int SOT = 49406;
    /** Id of {@code <|endoftext|>}. */
    public static final int EOT = 49407;
    /** Classpath location of OpenAI's vocabulary file, copied unchanged (MIT, see LICENSE-CLIP-vocab). */
    public static final String VOCAB_RESOURCE = "/dev/styleclip/clip/tokenizer/bpe_simple_vocab_16e6.txt.gz";

    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";
    /** {@code merges[1:49152-256-2+1]}: the vocabulary is 49,408 ids = 2 * 256 bytes + merges + 2 specials. */
    private static final int MERGE_COUNT = 49152 - 256 - 2;
    private static final int VOCAB_SIZE = 2 * 256 + MERGE_COUNT + 2;
    private static final int CACHE_CAPACITY = 1 << 14;
    private static final int MAX_QUOTED_CHARS = 100;

    /**
     * {@code SimpleTokenizer.pat}. Python compiles it with IGNORECASE; on lower-cased text that only matters for
     * the literal alternatives ("'ſ" still counts as "'s"), so the case-insensitive group covers just those and
     * the property classes match as in the {@code regex} module. U+0345 (combining ypogegrammeni, whose case
     * partner is the letter ι) is the one code point that the IGNORECASE {@code regex} pattern matches with no
     * alternative, so {@code findall} drops it (checked against all code points with regex 2026.5.9); the symbol
     * class excludes it to do the same.
     */
    private static final Pattern PRE_TOKEN = Pattern.compile(
            "(?iu:<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d)"
                    + "|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}\\x{345}]+",
            Pattern.UNICODE_CHARACTER_CLASS);
    /** {@code regex}'s {@code \s} is the Unicode White_Space property, as is Java's with UNICODE_CHARACTER_CLASS. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private static final int CAPITAL_SIGMA = 0x3A3;
    private static final char SMALL_SIGMA = '\u03C3';
    private static final char FINAL_SIGMA = '\u03C2';
    private static final int CAPITAL_I_WITH_DOT = 0x130;
    /** Word_Break MidLetter, MidNumLet and Single_Quote characters (part of Case_Ignorable; all BMP). */
    private static final String WORD_BREAK_MID = "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027"
            + "\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

    /** {@code bytes_to_unicode()}: byte value to its printable stand-in, and the reverse (-1 where none). */
    private final char[] byteEncoder;
    private final int[] byteDecoder;
    private final Map<String, Integer> encoder;
    private final String[] decoder;
    /** Rank of each merge, keyed "first second" (symbols never contain a space: 0x20 is encoded as 'Ġ'). */
    private final Map<String, Integer> bpeRanks;
    private final Map<String, int[]> cache = Collections.synchronizedMap(new LruCache(CACHE_CAPACITY));

    private ClipTokenizer(List<String> merges) {
        byteEncoder = bytesToUnicode();
        byteDecoder = invert(byteEncoder);
        List<String> vocab = vocabulary(byteEncoder, merges);
        encoder = new HashMap<>(vocab.size() * 2);
        decoder = vocab.toArray(new String[0]);
        for (int id = 0; id < vocab.size(); id++) {
            encoder.put(vocab.get(id), id); // later ids win on duplicates, like Python's dict(zip(...))
        }
        bpeRanks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            bpeRanks.put(merges.get(rank), rank);
        }
    }

    /** Loads the vocabulary bundled at {@link #VOCAB_RESOURCE}. */
    public static ClipTokenizer load() {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(VOCAB_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + VOCAB_RESOURCE + " is missing");
            }
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + VOCAB_RESOURCE, e);
        }
    }

    /** Loads a gzipped vocabulary in the format of {@code bpe_simple_vocab_16e6.txt.gz}; does not close it. */
    public static ClipTokenizer load(InputStream gzippedVocab) throws IOException {
        byte[] raw = new GZIPInputStream(gzippedVocab).readAllBytes();
        // Python splits on '\n' only, so a readLine() that also breaks on '\r' would not be equivalent.
        String[] lines = new String(raw, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < MERGE_COUNT + 1) {
            throw new IOException("vocabulary has " + lines.length + " lines, expected at least " + (MERGE_COUNT + 1));
        }
        List<String> merges = new ArrayList<>(MERGE_COUNT);
        for (int i = 1; i <= MERGE_COUNT; i++) { // line 0 is the "#version" header
            merges.add(String.join(" ", lines[i].trim().split("\\s+")));
        }
        return new ClipTokenizer(merges);
    }

    /**
     * {@code clip.tokenize(texts, context_length=77, truncate=policy == TRUNCATE)}: one row of
     * {@link #CONTEXT_LENGTH} ids per text, {@link #SOT}, the BPE ids, {@link #EOT}, then zeros.
     *
     * @throws IllegalArgumentException under {@link TruncationPolicy#ERROR} for the first text that does not fit
     */
    public int[][] tokenize(List<String> texts, TruncationPolicy policy) {
        Objects.requireNonNull(texts, "texts");
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenize(texts.get(i), policy);
        }
        return rows;
    }

    /** One row of {@link #tokenize(List, TruncationPolicy)}. */
    public int[] tokenize(String text, TruncationPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        List<Integer> ids = encode(text);
        int total = ids.size() + 2;
        if (total > CONTEXT_LENGTH && policy == TruncationPolicy.ERROR) {
            throw new IllegalArgumentException(tooLongMessage(text, total));
        }
        // With TRUNCATE CLIP keeps tokens[:77] and overwrites the last with EOT: SOT, 75 ids, EOT.
        int kept = Math.min(ids.size(), CONTEXT_LENGTH - 2);
        int[] row = new int[CONTEXT_LENGTH];
        row[0] = SOT;
        for (int k = 0; k < kept; k++) {
            row[k + 1] = ids.get(k);
        }
        row[kept + 1] = EOT;
        return row;
    }

    /** {@code SimpleTokenizer.encode}: the BPE ids of {@code text}, without {@link #SOT} and {@link #EOT}. */
    public List<Integer> encode(String text) {
        Objects.requireNonNull(text, "text");
        List<Integer> ids = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(clean(text));
        while (m.find()) {
            for (int id : wordIds(m.group())) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * {@code SimpleTokenizer.decode}: concatenates the ids' symbols, maps them back to bytes, decodes UTF-8
     * (malformed bytes become U+FFFD) and turns every "&lt;/w&gt;" into a space.
     */
    public String decode(List<Integer> ids) {
        StringBuilder symbols = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + decoder.length + ")");
            }
            symbols.append(decoder[id]);
        }
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) byteDecoder[symbols.charAt(i)]; // every vocabulary symbol is a byte stand-in
        }
        return decodeUtf8(bytes).replace(END_OF_WORD, " ");
    }

    /**
     * {@code bytes.decode('utf-8', errors='replace')}: one U+FFFD per maximal ill-formed subpart, as Python does.
     * Java's own decoder differs on some inputs (it swallows "ED AE", the start of an encoded surrogate, as one).
     */
    private static String decodeUtf8(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int lead = bytes[i] & 0xFF;
            int need = lead < 0x80 ? 0 : lead < 0xC2 ? -1 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : lead < 0xF5 ? 3 : -1;
            if (need < 0) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = lead & (0x7F >> need);
            int j = 1;
            for (; j <= need && i + j < bytes.length; j++) {
                int c = bytes[i + j] & 0xFF;
                // Only the second byte has a narrower range: no overlongs (E0, F0), surrogates (ED), > U+10FFFF (F4).
                int lo = j == 1 && lead == 0xE0 ? 0xA0 : j == 1 && lead == 0xF0 ? 0x90 : 0x80;
                int hi = j == 1 && lead == 0xED ? 0x9F : j == 1 && lead == 0xF4 ? 0x8F : 0xBF;
                if (c < lo || c > hi) {
                    break;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (j > need) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD');
            }
            i += j;
        }
        return out.toString();
    }

    /** Number of ids, 49,408. */
    public int vocabSize() {
        return decoder.length;
    }

    /**
     * {@code whitespace_clean(basic_clean(text)).lower()} without ftfy: unescape HTML twice (so "&amp;amp;" is
     * "&"), strip, collapse whitespace runs to one space, strip, lower-case. Package-private for tests.
     */
    static String clean(String text) {
        String s = HtmlEntities.unescape(HtmlEntities.unescape(text));
        s = WHITESPACE.matcher(pythonStrip(s)).replaceAll(" ");
        return pythonLower(pythonStrip(s));
    }

    /** Ids of one pre-token: a literal special token maps to its id, anything else goes through BPE. */
    private int[] wordIds(String piece) {
        if (piece.equals(START_OF_TEXT)) {
            return new int[] {SOT};
        }
        if (piece.equals(END_OF_TEXT)) {
            return new int[] {EOT};
        }
        String token = byteEncode(piece);
        int[] ids = cache.get(token);
        if (ids == null) {
            ids = toIds(bpe(token));
            cache.put(token, ids);
        }
        return ids;
    }

    /** {@code ''.join(byte_encoder[b] for b in token.encode('utf-8'))}; Python raises on lone surrogates too. */
    private String byteEncode(String piece) {
        ByteBuffer utf8;
        try {
            utf8 = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(piece));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text is not valid Unicode (unpaired surrogate) near \"" + piece + "\"", e);
        }
        StringBuilder out = new StringBuilder(utf8.remaining());
        while (utf8.hasRemaining()) {
            out.append(byteEncoder[utf8.get() & 0xFF]);
        }
        return out.toString();
    }

    /**
     * {@code SimpleTokenizer.bpe}: start from single symbols with "&lt;/w&gt;" on the last, then repeatedly merge
     * every occurrence of the lowest-ranked adjacent pair until no pair is a known merge.
     */
    private List<String> bpe(String token) {
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) { // stand-ins are all in the BMP, so chars are code points
            word.add(String.valueOf(token.charAt(i)));
        }
        int last = word.size() - 1;
        word.set(last, word.get(last) + END_OF_WORD);
        while (word.size() > 1) {
            int best = lowestRankedPair(word);
            if (best < 0) {
                break;
            }
            word = mergePair(word, word.get(best), word.get(best + 1));
        }
        return word;
    }

    /** Index of the first symbol of the adjacent pair with the lowest merge rank, or -1 if none is a merge. */
    private int lowestRankedPair(List<String> word) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i + 1 < word.size(); i++) {
            Integer rank = bpeRanks.get(word.get(i) + " " + word.get(i + 1));
            if (rank != null && rank < bestRank) {
                bestRank = rank;
                best = i;
            }
        }
        return best;
    }

    /** Replaces each non-overlapping (first, second), scanning left to right as the reference's inner loop does. */
    private static List<String> mergePair(List<String> word, String first, String second) {
        List<String> merged = new ArrayList<>(word.size());
        int i = 0;
        while (i < word.size()) {
            if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                merged.add(first + second);
                i += 2;
            } else {
                merged.add(word.get(i));
                i++;
            }
        }
        return merged;
    }

    private int[] toIds(List<String> symbols) {
        int[] ids = new int[symbols.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = encoder.get(symbols.get(i)); // single symbols and merge results are all in the vocabulary
        }
        return ids;
    }

    private static String tooLongMessage(String text, int total) {
        return "Text \"" + shorten(text) + "\" has " + total + " tokens (start and end included) but the context"
                + " holds " + CONTEXT_LENGTH + " (TruncationPolicy.TRUNCATE cuts it)";
    }

    private static String shorten(String text) {
        if (text.length() <= MAX_QUOTED_CHARS) {
            return text;
        }
        int end = MAX_QUOTED_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // do not split a surrogate pair
        }
        return text.substring(0, end) + "...";
    }

    /**
     * {@code bytes_to_unicode()}: printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves,
     * the other 68 bytes get U+0100.. in byte order, so no symbol is whitespace or a control character.
     */
    private static char[] bytesToUnicode() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            table[b] = isPrintableByte(b) ? (char) b : (char) next++;
        }
        return table;
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private static int[] invert(char[] byteEncoder) {
        int[] inverse = new int[512];
        Arrays.fill(inverse, -1);
        for (int b = 0; b < 256; b++) {
            inverse[byteEncoder[b]] = b;
        }
        return inverse;
    }

    /**
     * The reference's vocabulary order: the 256 stand-ins in {@code bytes_to_unicode()} dict order (printable
     * bytes first, then the rest), the same with "&lt;/w&gt;", the merges joined, then the two special tokens.
     */
    private static List<String> vocabulary(char[] byteEncoder, List<String> merges) {
        List<String> bytes = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            if (isPrintableByte(b)) {
                bytes.add(String.valueOf(byteEncoder[b]));
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!isPrintableByte(b)) {
                bytes.add(String.valueOf(byteEncoder[b]));
            }
        }
        List<String> vocab = new ArrayList<>(VOCAB_SIZE);
        vocab.addAll(bytes);
        for (String symbol : bytes) {
            vocab.add(symbol + END_OF_WORD);
        }
        for (String merge : merges) {
            vocab.add(merge.replace(" ", ""));
        }
        vocab.add(START_OF_TEXT);
        vocab.add(END_OF_TEXT);
        return vocab;
    }

    /** Python's {@code str.strip()}: {@code str.isspace()} is White_Space plus U+001C..U+001F. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        // All such characters are in the BMP, so testing UTF-16 units is exact.
        return (c >= 0x1C && c <= 0x1F) || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /**
     * Python's {@code str.lower()}: simple lower-case mappings except "İ" to "i̇" (the one unconditional
     * multi-character mapping) and Σ to ς in Python's final-sigma context. Java's own final-sigma test uses word
     * boundaries instead of Unicode's Case_Ignorable rule, so it is done here.
     */
    static String pythonLower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp == CAPITAL_SIGMA) {
                out.append(isFinalSigma(s, i) ? FINAL_SIGMA : SMALL_SIGMA);
            } else if (cp == CAPITAL_I_WITH_DOT) {
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * CPython's {@code handle_capital_sigma}: final when a cased letter precedes (skipping case-ignorable
     * characters) and no cased letter follows (skipping them too).
     */
    private static boolean isFinalSigma(String s, int index) {
        int before = index;
        int cp = -1;
        while (before > 0) {
            cp = s.codePointBefore(before);
            before -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                break;
            }
            cp = -1;
        }
        if (cp < 0 || !isCased(cp)) {
            return false;
        }
        for (int after = index + 1; after < s.length(); ) {
            cp = s.codePointAt(after);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
            after += Character.charCount(cp);
        }
        return true;
    }

    /** Unicode "Cased": Lowercase, Uppercase (both with their Other_ contributions) or titlecase letters. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /**
     * Unicode "Case_Ignorable": general category Mn, Me, Cf, Lm or Sk, or Word_Break MidLetter, MidNumLet or
     * Single_Quote (the JDK has no Word_Break property, so those few characters are listed).
     */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                return WORD_BREAK_MID.indexOf(cp) >= 0;
        }
    }

    /** Access-ordered map that drops the least recently used word once full (wrapped as synchronized). */
    private static final class LruCache extends LinkedHashMap<String, int[]> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        LruCache(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > capacity;
        }
    }
}
