package dev.styleclip.image;

import dev.styleclip.clip.preprocess.PillowBicubic;
import dev.styleclip.clip.preprocess.Rgb8Image;
import dev.styleclip.io.InputFiles;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.pytorch.Tensor;

/**
 * A user's picture as the generator sees it: any file ImageIO decodes (PNG, JPEG, BMP, GIF, also WBMP and TIFF), as
 * 8-bit RGB, centre-cropped to a square and resized to the generator's side, as a tensor [1, 3, S, S] in [-1, 1].
 *
 * <ul>
 *   <li>Colour: grey images are repeated into R, G and B with their stored values (no colour-space conversion, which
 *       would lighten them); palette images are looked up in their palette; everything else goes through ImageIO's
 *       conversion to 8-bit sRGB.</li>
 *   <li>Transparency: composited on white ({@code v * a + 255 * (1 - a)}, rounded), so a cut-out on a transparent
 *       background is a cut-out on white, not on black.</li>
 *   <li>Crop: the centred square whose side is the shorter side (offset {@code (long - short) / 2}, rounded down).</li>
 *   <li>Resize: Pillow's BICUBIC filter ({@link PillowBicubic}; Keys' cubic, a = -0.5), whose support grows with
 *       the shrink factor, so a downscale averages every source pixel it covers (antialiased) and an upscale is plain
 *       bicubic; 8-bit results, rounded and clamped.</li>
 *   <li>Values: a byte v becomes {@code v / 127.5 - 1}, the inverse of {@link Images#toImage}'s mapping, so the
 *       tensor saved as an image gives the same bytes back.</li>
 * </ul>
 * The first frame of an animated GIF is taken; EXIF orientation is not applied.
 */
public final class InputImages {
    /** The formats a message names (ImageIO of Java 17 also reads WBMP and TIFF). */
    public static final String FORMATS = "PNG, JPEG, BMP, GIF";

    private InputImages() {
    }

    /** The picture in {@code file} as the generator of side {@code size} sees it: [1, 3, size, size] in [-1, 1]. */
    public static Tensor read(Path file, int size) throws IOException {
        return toTensor(fit(readRgb(file), size));
    }

    /**
     * Decodes {@code file} to 8-bit RGB (see the class notes for grey, palette and transparent images). A missing file,
     * a folder, or a file that is not an image ImageIO decodes is an {@link IOException} with a one-line message
     * naming the file.
     */
    public static Rgb8Image readRgb(Path file) throws IOException {
        InputFiles.requireReadable(file);
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw notAnImage(file);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                img = reader.read(0);
            } catch (IOException | RuntimeException e) {
                String format = formatName(reader);
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                throw new IOException(name(file) + " cannot be decoded as " + format + " (" + why + ")", e);
            } finally {
                reader.dispose();
            }
        }
        return toRgb(img);
    }

    /** The centred square of {@code image}, resized to {@code size} x {@code size} (see the class notes). */
    public static Rgb8Image fit(Rgb8Image image, int size) {
        if (size < 1) throw new IllegalArgumentException("size must be positive, got " + size);
        int w = image.width();
        int h = image.height();
        int side = Math.min(w, h);
        int left = (w - side) / 2;
        int top = (h - side) / 2;
        byte[] square = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            System.arraycopy(image.rgb(), ((top + y) * w + left) * 3, square, y * side * 3, side * 3);
        }
        byte[] out = side == size ? square : PillowBicubic.resize(square, side, side, 3, size, size);
        return new Rgb8Image(size, size, out);
    }

    /** An RGB image as a tensor [1, 3, H, W] in [-1, 1]: a byte v becomes {@code v / 127.5 - 1}. */
    public static Tensor toTensor(Rgb8Image image) {
        int plane = image.width() * image.height();
        float[] chw = new float[3 * plane];
        byte[] rgb = image.rgb();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) chw[c * plane + p] = (rgb[p * 3 + c] & 0xFF) / 127.5f - 1f;
        }
        Engine.init();
        return Tensors.floats(chw, 1, 3, image.height(), image.width()); // [1, 3, H, W]
    }

    /** The image as a {@link BufferedImage} of type RGB. */
    public static BufferedImage toBufferedImage(Rgb8Image image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int p = (y * image.width() + x) * 3;
                out.setRGB(x, y, ((rgb[p] & 0xFF) << 16) | ((rgb[p + 1] & 0xFF) << 8) | (rgb[p + 2] & 0xFF));
            }
        }
        return out;
    }

    /** A decoded image as 8-bit RGB, transparency composited on white. */
    static Rgb8Image toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        ColorModel cm = img.getColorModel();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !cm.isAlphaPremultiplied()) {
            greyOnWhite(img.getRaster(), cm, rgb);
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w); // sRGB, not premultiplied
            for (int p = 0; p < argb.length; p++) {
                int a = argb[p] >>> 24;
                rgb[p * 3] = (byte) onWhite((argb[p] >> 16) & 0xFF, a);
                rgb[p * 3 + 1] = (byte) onWhite((argb[p] >> 8) & 0xFF, a);
                rgb[p * 3 + 2] = (byte) onWhite(argb[p] & 0xFF, a);
            }
        }
        return new Rgb8Image(w, h, rgb);
    }

    /** Grey (and grey + alpha) samples as stored, 16-bit ones by their high byte: getRGB would convert linear grey to sRGB. */
    private static void greyOnWhite(Raster raster, ColorModel cm, byte[] rgb) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int shift = Math.max(0, cm.getComponentSize(0) - 8);
        boolean alpha = cm.hasAlpha() && bands > 1;
        int alphaShift = alpha ? Math.max(0, cm.getComponentSize(bands - 1) - 8) : 0;
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int v = row[x * bands] >> shift;
                int a = alpha ? row[x * bands + bands - 1] >> alphaShift : 255;
                byte b = (byte) onWhite(v, a);
                int p = (y * w + x) * 3;
                rgb[p] = b;
                rgb[p + 1] = b;
                rgb[p + 2] = b;
            }
        }
    }

    /** {@code v * a + 255 * (1 - a)} for 8-bit v and alpha a, rounded. */
    static int onWhite(int v, int a) {
        return a == 255 ? v : (v * a + 255 * (255 - a) + 127) / 255;
    }

    private static IOException notAnImage(Path file) {
        return new IOException(name(file) + " is not an image ImageIO can read (" + FORMATS + ")");
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "an image";
        }
    }

    private static String name(Path file) {
        Path n = file.getFileName();
        return n != null ? n.toString() : file.toString();
    }
}
