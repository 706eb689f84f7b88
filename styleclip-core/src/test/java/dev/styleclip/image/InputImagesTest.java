package dev.styleclip.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.preprocess.Rgb8Image;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's picture read, converted to RGB, cropped and resized as the generator sees it. */
class InputImagesTest {
    @TempDir
    Path dir;

    @Test
    void rgbaIsCompositedOnWhiteAndANonSquareImageKeepsItsCentre() throws IOException {
        // 8 x 4: columns 0-1 transparent red, 2-3 half-transparent black, 4-5 opaque (10, 20, 30), 6-7 opaque blue
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                int argb = x < 2 ? 0x00FF0000 : x < 4 ? 0x80000000 : x < 6 ? 0xFF0A141E : 0xFF0000FF;
                img.setRGB(x, y, argb);
            }
        }
        Path png = dir.resolve("rgba.png");
        ImageIO.write(img, "png", png.toFile());
        Rgb8Image rgb = InputImages.readRgb(png);
        assertEquals(8, rgb.width());
        assertEquals(4, rgb.height());
        assertArrayEquals(new int[] {255, 255, 255}, pixel(rgb, 0, 0), "transparent: white");
        int half = (255 * (255 - 128) + 127) / 255; // black at alpha 128 over white: 127
        assertEquals(127, half);
        assertArrayEquals(new int[] {half, half, half}, pixel(rgb, 2, 1));
        assertArrayEquals(new int[] {10, 20, 30}, pixel(rgb, 4, 3));

        // the centre square (columns 2-5) at its own size: no resampling
        Rgb8Image square = InputImages.fit(rgb, 4);
        assertArrayEquals(new int[] {half, half, half}, pixel(square, 0, 0));
        assertArrayEquals(new int[] {half, half, half}, pixel(square, 1, 3));
        assertArrayEquals(new int[] {10, 20, 30}, pixel(square, 2, 0));
        assertArrayEquals(new int[] {10, 20, 30}, pixel(square, 3, 3));

        // a tall image keeps its middle rows
        BufferedImage tall = new BufferedImage(2, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) for (int x = 0; x < 2; x++) tall.setRGB(x, y, y * 40 << 8);
        Rgb8Image middle = InputImages.fit(InputImages.toRgb(tall), 2);
        assertEquals(80, pixel(middle, 0, 0)[1]);
        assertEquals(120, pixel(middle, 1, 1)[1]);
    }

    @Test
    void greyJpegKeepsItsStoredValuesInEveryChannel() throws IOException {
        // flat 8 x 8 blocks (JPEG keeps them nearly exact) of 40, 128 and 220; Java's grey-to-sRGB conversion would
        // lighten 128 to about 186
        BufferedImage grey = new BufferedImage(24, 8, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = {40, 128, 220};
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 24; x++) grey.getRaster().setSample(x, y, 0, levels[x / 8]);
        }
        Path jpg = dir.resolve("grey.jpg");
        ImageIO.write(grey, "jpeg", jpg.toFile());
        Rgb8Image rgb = InputImages.readRgb(jpg);
        for (int b = 0; b < 3; b++) {
            int[] p = pixel(rgb, b * 8 + 4, 4);
            assertEquals(p[0], p[1]);
            assertEquals(p[0], p[2]);
            assertTrue(Math.abs(p[0] - levels[b]) <= 2, "grey " + levels[b] + " read as " + Arrays.toString(p));
        }
    }

    @Test
    void paletteAndBmpImagesAreRgb() throws IOException {
        byte[] r = {(byte) 200, 0};
        byte[] g = {(byte) 100, 0};
        byte[] b = {(byte) 50, (byte) 255};
        BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        indexed.getRaster().setSample(1, 2, 0, 1);
        Path png = dir.resolve("palette.png");
        ImageIO.write(indexed, "png", png.toFile());
        Rgb8Image rgb = InputImages.readRgb(png);
        assertArrayEquals(new int[] {200, 100, 50}, pixel(rgb, 0, 0));
        assertArrayEquals(new int[] {0, 0, 255}, pixel(rgb, 1, 2));

        BufferedImage plain = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
        plain.setRGB(1, 1, 0x123456);
        Path bmp = dir.resolve("plain.bmp");
        ImageIO.write(plain, "bmp", bmp.toFile());
        assertArrayEquals(new int[] {0x12, 0x34, 0x56}, pixel(InputImages.readRgb(bmp), 1, 1));
    }

    @Test
    void downscalingAveragesAndUpscalingKeepsAFlatImageFlat() {
        // a 1-pixel checkerboard of 0 and 255 halved: the antialiased filter averages it to mid grey
        byte[] board = new byte[16 * 16 * 3];
        for (int p = 0; p < 256; p++) {
            byte v = (byte) (((p / 16 + p % 16) % 2) * 255);
            board[p * 3] = v;
            board[p * 3 + 1] = v;
            board[p * 3 + 2] = v;
        }
        Rgb8Image small = InputImages.fit(new Rgb8Image(16, 16, board), 8);
        for (int y = 2; y < 6; y++) {
            for (int x = 2; x < 6; x++) assertTrue(Math.abs(pixel(small, x, y)[0] - 128) <= 2, "pixel " + x + "," + y + ": " + pixel(small, x, y)[0]);
        }
        byte[] flat = new byte[5 * 5 * 3];
        Arrays.fill(flat, (byte) 77);
        Rgb8Image big = InputImages.fit(new Rgb8Image(5, 5, flat), 13);
        for (byte v : big.rgb()) assertEquals(77, v & 0xFF);
    }

    @Test
    void theTensorIsTheInverseOfImagesToImage() throws IOException {
        BufferedImage img = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) for (int x = 0; x < 6; x++) img.setRGB(x, y, (x * 51) << 16 | (y * 51) << 8 | (x * y * 7));
        Path png = dir.resolve("rgb.png");
        ImageIO.write(img, "png", png.toFile());
        Tensor t = InputImages.read(png, 6);
        assertArrayEquals(new long[] {1, 3, 6, 6}, t.shape());
        float[] v = Tensors.toFloatArray(t);
        assertEquals(-1f, v[0]); // R of (0, 0) is 0
        assertEquals(5 * 51 / 127.5f - 1f, v[5], 1e-7); // R of (5, 0) is 255
        assertEquals(1f, v[5], 1e-7);
        BufferedImage back = Images.toImage(t, 0);
        for (int y = 0; y < 6; y++) for (int x = 0; x < 6; x++) assertEquals(img.getRGB(x, y), back.getRGB(x, y));
        assertArrayEquals(new long[] {1, 3, 4, 4}, InputImages.read(png, 4).shape());
    }

    @Test
    void whatIsNotAPictureIsRefusedInOneLineNamingTheFile() throws IOException {
        Path text = dir.resolve("photo.txt");
        Files.writeString(text, "not a picture\n");
        IOException e = assertThrows(IOException.class, () -> InputImages.readRgb(text));
        assertEquals("photo.txt is not an image ImageIO can read (PNG, JPEG, BMP, GIF)", e.getMessage());

        e = assertThrows(IOException.class, () -> InputImages.readRgb(dir.resolve("missing.png")));
        assertEquals("missing.png: no such file", e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("pictures"));
        e = assertThrows(IOException.class, () -> InputImages.readRgb(folder));
        assertEquals("pictures is a directory, not a file", e.getMessage());

        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("cut.png");
        ImageIO.write(img, "png", png.toFile());
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(IOException.class, () -> InputImages.readRgb(png));
        assertTrue(e.getMessage().startsWith("cut.png cannot be decoded as PNG"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static int[] pixel(Rgb8Image img, int x, int y) {
        return new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
    }
}
