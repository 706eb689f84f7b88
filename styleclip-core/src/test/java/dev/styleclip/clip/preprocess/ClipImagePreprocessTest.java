package dev.styleclip.clip.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with {@code preprocess = clip.load(...)[1]} (openai/CLIP, torchvision 0.14.1, Pillow 9.4.0) on the
 * {@code preprocess_*} cases of {@code fixtures/clip/manifest.json}: the 224x224 uint8 image after
 * Resize + CenterCrop + convert('RGB') must match exactly, the normalised tensor within 3e-6.
 */
class ClipImagePreprocessTest {

    private static final double TENSOR_TOLERANCE = 3e-6;

    @ParameterizedTest
    @ValueSource(strings = {"rgb_downscale", "rgb_upscale_portrait", "rgba_translucent"})
    void resizedUint8MatchesPillowExactly(String name) throws Exception {
        Npy golden = Npy.read(fixture(name + ".resized_uint8.npy"));
        assertArrayEquals(new int[] {224, 224, 3}, golden.shape());

        Rgb8Image fromFile = ClipImagePreprocess.resizeAndCrop(fixture(name + ".png"));
        Rgb8Image fromImage = ClipImagePreprocess.resizeAndCrop(ImageIO.read(fixture(name + ".png").toFile()));

        assertEquals(0, maxAbsDiff(golden.uint8(), fromFile.rgb()), name + " (file)");
        assertEquals(0, maxAbsDiff(golden.uint8(), fromImage.rgb()), name + " (BufferedImage)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb_downscale", "rgb_upscale_portrait", "rgba_translucent"})
    void tensorMatchesTorchvision(String name) throws Exception {
        Npy golden = Npy.read(fixture(name + ".tensor.npy"));
        assertArrayEquals(new int[] {3, 224, 224}, golden.shape());

        float[] actual = ClipImagePreprocess.preprocess(fixture(name + ".png"));

        float[] expected = golden.float32();
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
        }
        assertTrue(max <= TENSOR_TOLERANCE, name + ": max |diff| " + max + " > " + TENSOR_TOLERANCE);
    }

    @Test
    void cropOffsetRoundsHalfToEvenLikePython() {
        assertArrayEquals(new int[] {281, 224}, ClipImagePreprocess.resizedSize(302, 240));
        assertEquals(28, ClipImagePreprocess.cropOffset(281), "28.5 rounds to 28 (Math.round would give 29)");
        assertEquals(30, ClipImagePreprocess.cropOffset(283), "29.5 rounds to 30");
        assertEquals(0, ClipImagePreprocess.cropOffset(224));
        // The long side is truncated: int(224 * 61 / 45) = int(303.64...) = 303.
        assertArrayEquals(new int[] {224, 303}, ClipImagePreprocess.resizedSize(45, 61));
    }

    @Test
    void nonImageFileGivesIOExceptionNamingTheFile(@TempDir Path dir) throws IOException {
        Path notAnImage = Files.writeString(dir.resolve("notes-not-an-image.png"), "just some text\n");

        IOException e = assertThrows(IOException.class, () -> ClipImagePreprocess.preprocess(notAnImage));

        assertTrue(e.getMessage().contains("notes-not-an-image.png"), e.getMessage());
        assertTrue(e.getMessage().contains("not a readable PNG/JPEG"), e.getMessage());
    }

    @Test
    void missingFileGivesIOExceptionNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.jpg");

        IOException e = assertThrows(IOException.class, () -> ClipImagePreprocess.preprocess(missing));

        assertTrue(e.getMessage().contains("missing.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("not a readable PNG/JPEG"), e.getMessage());
    }

    @Test
    void imageAlreadyAt224IsNotResizedSoAlphaIsNotRoundTripped() {
        // Pillow's resize returns a copy for an unchanged size; a premultiply round trip would turn
        // (200, 100, 50) at alpha 1 into (255, 0, 0).
        BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                img.setRGB(x, y, 0x01C86432);
            }
        }

        Rgb8Image out = ClipImagePreprocess.resizeAndCrop(img);

        assertEquals(200, out.get(17, 5, 0));
        assertEquals(100, out.get(17, 5, 1));
        assertEquals(50, out.get(17, 5, 2));
    }

    @Test
    void grayscaleImageEqualsTheSameValuesAsRgb() {
        // L -> RGB replicates the value; the raw samples must be used, not Java's gray -> sRGB conversion.
        BufferedImage gray = new BufferedImage(50, 37, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(50, 37, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 50; x++) {
                int v = (x * 37 + y * 91) % 256;
                gray.getRaster().setSample(x, y, 0, v);
                rgb.setRGB(x, y, v * 0x010101);
            }
        }

        assertArrayEquals(
                ClipImagePreprocess.resizeAndCrop(rgb).rgb(), ClipImagePreprocess.resizeAndCrop(gray).rgb());
    }

    @Test
    void bicubicKernelAndFixedPointMatchPillow() {
        // bicubic_filter with a = -0.5: 1 at 0, 0 at the integers, -0.0625 at 1.5.
        assertEquals(1.0, PillowBicubic.bicubicFilter(0.0));
        assertEquals(0.0, PillowBicubic.bicubicFilter(1.0), 0.0);
        assertEquals(-0.0625, PillowBicubic.bicubicFilter(-1.5));
        assertEquals(0.0, PillowBicubic.bicubicFilter(2.0), 0.0);
        // 1.0 in fixed point is 1 << 22; the 0.5 rounding goes away from zero.
        assertArrayEquals(new int[] {1 << 22, -262144}, PillowBicubic.toFixedPoint(new double[] {1.0, -0.0625}));
        // Unchanged size: weights are the identity, the pass copies.
        byte[] src = {10, (byte) 200, 30, 40};
        assertArrayEquals(src, PillowBicubic.resize(src, 2, 2, 1, 2, 2));
    }

    private static int maxAbsDiff(byte[] a, byte[] b) {
        assertEquals(a.length, b.length);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return max;
    }

    private static Path fixture(String name) throws URISyntaxException {
        URL url = ClipImagePreprocessTest.class.getResource("/fixtures/clip/preprocess_" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource fixtures/clip/preprocess_" + name);
        }
        return Path.of(url.toURI());
    }

    /** Just enough of the .npy format (v1-v3 header, C order) for the uint8 and little-endian float32 goldens. */
    private record Npy(String descr, int[] shape, byte[] data) {

        private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
        private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

        static Npy read(Path file) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[6];
            buf.get(magic);
            if (!Arrays.equals(magic, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'})) {
                throw new IOException(file + ": not an .npy file");
            }
            int major = buf.get();
            buf.get(); // minor version
            int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
            byte[] header = new byte[headerLength];
            buf.get(header);
            String text = new String(header, StandardCharsets.ISO_8859_1);
            if (text.contains("'fortran_order': True")) {
                throw new IOException(file + ": Fortran order not supported");
            }
            byte[] data = new byte[buf.remaining()];
            buf.get(data);
            return new Npy(group(DESCR, text, file), parseShape(group(SHAPE, text, file)), data);
        }

        byte[] uint8() {
            assertEquals("|u1", descr);
            return data;
        }

        float[] float32() {
            assertEquals("<f4", descr);
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        private static String group(Pattern p, String text, Path file) throws IOException {
            Matcher m = p.matcher(text);
            if (!m.find()) {
                throw new IOException(file + ": bad .npy header " + text);
            }
            return m.group(1);
        }

        private static int[] parseShape(String dims) {
            return Arrays.stream(dims.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt)
                    .toArray();
        }
    }
}
