package dev.styleclip.clip.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares {@link ClipTokenizer} with ids produced by openai/CLIP's {@code clip.tokenize(texts, truncate=True)}
 * ({@code clip/simple_tokenizer.py}, {@code SimpleTokenizer}) for the 67 prompts of
 * {@code fixtures/tokenizer/tokenize_visible.*}, and checks padding, truncation and the over-long error.
 */
class ClipTokenizerTest {

    private static final String FIXTURES = "/fixtures/tokenizer/";
    private static final int PROMPT_COUNT = 67;
    private static final int FTFY_SENSITIVE_COUNT = 4;

    private static ClipTokenizer tokenizer;
    private static List<Prompt> prompts;
    private static int[][] goldenRows;

    /** One entry of tokenize_visible.prompts.json (only the fields these tests read). */
    private static final class Prompt {
        int index;
        String text;
        String textAsciiEscaped;
        int nIdsBeforeTruncation;
        boolean ftfyInvariant;
        List<Integer> idsWithIdentityFtfyStub;
    }

    @BeforeAll
    static void loadFixtures() throws IOException {
        tokenizer = ClipTokenizer.load();
        prompts = readPrompts();
        goldenRows = readInt32Matrix(FIXTURES + "tokenize_visible.tokens.npy");
    }

    @Test
    void fixturesHaveTheExpectedShape() {
        assertEquals(PROMPT_COUNT, prompts.size());
        assertEquals(PROMPT_COUNT, goldenRows.length);
        assertEquals(FTFY_SENSITIVE_COUNT, prompts.stream().filter(p -> !p.ftfyInvariant).count());
        assertEquals(49408, tokenizer.vocabSize());
    }

    /** Every ftfy-invariant prompt must give CLIP's 77 ids exactly. */
    @TestFactory
    Stream<DynamicTest> ftfyInvariantPromptsMatchClipExactly() {
        return prompts.stream().filter(p -> p.ftfyInvariant).map(p -> DynamicTest.dynamicTest(
                p.index + ": " + p.textAsciiEscaped,
                () -> assertArrayEquals(goldenRows[p.index], tokenize(p.text), p.textAsciiEscaped)));
    }

    /** Without ftfy, the four ftfy-sensitive prompts must give the ids of CLIP with an identity fix_text. */
    @TestFactory
    Stream<DynamicTest> ftfySensitivePromptsMatchIdentityFtfyIds() {
        return prompts.stream().filter(p -> !p.ftfyInvariant).map(p -> DynamicTest.dynamicTest(
                p.index + ": " + p.textAsciiEscaped,
                () -> assertArrayEquals(padded(p.idsWithIdentityFtfyStub), tokenize(p.text), p.textAsciiEscaped)));
    }

    /** {@code truncate=False} raises exactly for the prompts with more than 77 ids. */
    @TestFactory
    Stream<DynamicTest> errorPolicyRejectsExactlyTheOverLongPrompts() {
        return prompts.stream().filter(p -> p.ftfyInvariant).map(p -> DynamicTest.dynamicTest(
                p.index + ": " + p.textAsciiEscaped, () -> {
                    assertEquals(p.nIdsBeforeTruncation, tokenizer.encode(p.text).size() + 2);
                    if (p.nIdsBeforeTruncation > ClipTokenizer.CONTEXT_LENGTH) {
                        assertThrows(IllegalArgumentException.class, () -> errorTokenize(p.text));
                    } else {
                        assertArrayEquals(goldenRows[p.index], errorTokenize(p.text));
                    }
                }));
    }

    @Test
    void overLongPromptThrowsWithThePromptInTheMessage() {
        String text = "1234567890".repeat(8); // every digit is its own token: 80 + SOT + EOT
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> errorTokenize(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("82 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("77"), e.getMessage());
    }

    @Test
    void veryLongPromptIsShortenedInTheMessage() {
        String text = "word ".repeat(500);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> errorTokenize(text));
        assertTrue(e.getMessage().contains("\"word word"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("502 tokens"), e.getMessage());
    }

    @Test
    void errorPolicyStopsAtTheFirstOverLongTextOfABatch() {
        List<String> texts = List.of("a cat", "a ".repeat(76), "a dog");
        assertThrows(IllegalArgumentException.class,
                () -> tokenizer.tokenize(texts, TruncationPolicy.ERROR));
        assertEquals(3, tokenizer.tokenize(texts, TruncationPolicy.TRUNCATE).length);
    }

    @Test
    void truncateKeeps77IdsEndingInEot() {
        String text = "1234567890".repeat(8);
        int[] row = tokenize(text);
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, row.length);
        assertEquals(ClipTokenizer.SOT, row[0]);
        assertEquals(ClipTokenizer.EOT, row[76]);
        List<Integer> ids = tokenizer.encode(text);
        for (int k = 0; k < 75; k++) {
            assertEquals(ids.get(k), row[k + 1]);
        }
    }

    @Test
    void emptyTextIsStartEndAndPadding() {
        int[] expected = new int[ClipTokenizer.CONTEXT_LENGTH];
        expected[0] = ClipTokenizer.SOT;
        expected[1] = ClipTokenizer.EOT;
        assertArrayEquals(expected, errorTokenize(""));
        assertArrayEquals(expected, errorTokenize(" \t\u3000 "));
        assertTrue(tokenizer.encode("").isEmpty());
    }

    @Test
    void seventyFiveWordsFitExactly() {
        String text = "a ".repeat(75);
        int[] row = assertDoesNotThrow(() -> errorTokenize(text));
        assertEquals(ClipTokenizer.SOT, row[0]);
        assertEquals(ClipTokenizer.EOT, row[76]);
        assertFalse(Arrays.stream(row).anyMatch(id -> id == 0), "no padding left");
        assertThrows(IllegalArgumentException.class, () -> errorTokenize(text + "a"));
    }

    @Test
    void batchGivesOneRowPerText() {
        int[][] rows = tokenizer.tokenize(List.of("Mohawk hairstyle", "Lion"), TruncationPolicy.ERROR);
        assertArrayEquals(goldenRows[0], rows[0]);
        assertArrayEquals(goldenRows[3], rows[1]);
    }

    @Test
    void literalSpecialTokensInAnyCaseBecomeTheirIds() {
        assertEquals(List.of(320, ClipTokenizer.EOT, 321), tokenizer.encode("a <|endoftext|> b"));
        assertEquals(List.of(ClipTokenizer.SOT, ClipTokenizer.EOT), tokenizer.encode("<|StartOfText|><|ENDOFTEXT|>"));
    }

    @Test
    void decodeInvertsEncodeUpToSpacing() {
        assertEquals("a photo of a café 😀 ", tokenizer.decode(tokenizer.encode("A photo of a CAFÉ 😀")));
        assertEquals("<|startoftext|>", tokenizer.decode(List.of(ClipTokenizer.SOT)));
        // A lone continuation byte (id 222 is byte 0x80) decodes to U+FFFD, like errors="replace".
        assertEquals("\uFFFD", tokenizer.decode(List.of(222)));
    }

    @Test
    void cleaningFollowsPythonSemantics() {
        assertEquals("fish & chips", ClipTokenizer.clean("fish &amp;amp; chips"));
        assertEquals("© 2021 © ©2021 &unknown;", ClipTokenizer.clean("&copy; 2021 &copy &copy2021 &unknown;"));
        assertEquals("€ \uFFFD \uFFFD", ClipTokenizer.clean("&#128; &#x110000; &#0;"));
        assertEquals("a b c", ClipTokenizer.clean("\u001c a\u00a0\u3000b\n\tc \u0085"));
        assertEquals("οδος σ ας α.ς", ClipTokenizer.clean("ΟΔΟΣ Σ ΑΣ Α.Σ"));
        assertEquals("i\u0307stanbul", ClipTokenizer.clean("İSTANBUL"));
    }

    @Test
    void everyNumericCharacterIsItsOwnPreToken() {
        assertEquals(tokenizer.encode("1 2 3"), tokenizer.encode("123"));
        assertEquals(tokenizer.encode("\u00b2 \u00bd \u0663"), tokenizer.encode("\u00b2\u00bd\u0663"));
    }

    private static int[] tokenize(String text) {
        return tokenizer.tokenize(List.of(text), TruncationPolicy.TRUNCATE)[0];
    }

    private static int[] errorTokenize(String text) {
        return tokenizer.tokenize(List.of(text), TruncationPolicy.ERROR)[0];
    }

    private static int[] padded(List<Integer> ids) {
        int[] row = new int[ClipTokenizer.CONTEXT_LENGTH];
        for (int k = 0; k < ids.size(); k++) {
            row[k] = ids.get(k);
        }
        return row;
    }

    private static List<Prompt> readPrompts() throws IOException {
        Gson gson = new GsonBuilder()
                .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .create();
        try (Reader reader = new InputStreamReader(open(FIXTURES + "tokenize_visible.prompts.json"),
                StandardCharsets.UTF_8)) {
            return gson.fromJson(reader, new TypeToken<List<Prompt>>() { }.getType());
        }
    }

    /** Minimal .npy reader for a little-endian int32 C-order matrix: magic, version, header dict, raw data. */
    private static int[][] readInt32Matrix(String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = open(resource)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("\u0093NUMPY", new String(bytes, 0, 6, StandardCharsets.ISO_8859_1), resource);
        int major = bytes[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(bytes, dataStart - headerLength, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<i4'") && header.contains("'fortran_order': False"), header);
        Matcher shape = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
        assertTrue(shape.find(), header);
        int rows = Integer.parseInt(shape.group(1));
        int cols = Integer.parseInt(shape.group(2));
        buf.position(dataStart);
        int[][] matrix = new int[rows][cols];
        for (int[] row : matrix) {
            for (int c = 0; c < cols; c++) {
                row[c] = buf.getInt();
            }
        }
        return matrix;
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = ClipTokenizerTest.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing test resource " + resource);
        }
        return in;
    }
}
