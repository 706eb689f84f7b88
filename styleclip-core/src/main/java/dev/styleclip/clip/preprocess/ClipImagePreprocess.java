package dev.styleclip.clip.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * CLIP's own image preprocessing, bit-exact with {@code preprocess = clip.load(...)[1]} applied to
 * {@code PIL.Image.open(file)}: openai/CLIP {@code clip/clip.py} {@code _transform(224)} =
 * {@code Resize(224, BICUBIC)} (short side to 224) -> {@code CenterCrop(224)} -> {@code convert("RGB")} ->
 * {@code ToTensor()} (/255) -> {@code Normalize(MEAN, STD)}, as torchvision 0.14 runs it on Pillow 9.4 images.
 *
 * <p>Exactness needs the image in the mode Pillow would open it in, because {@code Image.resize} depends on it:
 * <ul>
 *   <li>L, RGB, CMYK (Adobe JPEG): {@link PillowBicubic} on the 8-bit bands;</li>
 *   <li>LA, RGBA: premultiplied first (Pillow resizes them as La / RGBa), un-premultiplied after, and the
 *       alpha dropped only by the final {@code convert("RGB")};</li>
 *   <li>P (palette PNG) and 1 (1-bit grayscale PNG): Pillow forces NEAREST for these modes, so they are
 *       resized by nearest neighbour on the indices and looked up in the palette afterwards;</li>
 *   <li>I (16-bit grayscale PNG): resized in double precision, then clipped to 0..255 by {@code convert("RGB")}
 *       (Pillow does not rescale 16-bit values, so most of such an image comes out white: copied on purpose).</li>
 * </ul>
 * 16-bit RGB(A) PNGs keep the most significant byte, as Pillow's {@code RGB;16B} unpackers do; a PNG tRNS chunk
 * (transparency for RGB or grayscale) is ignored, as Pillow keeps it only in {@code info}. EXIF orientation is not
 * applied, as torchvision does not apply it either.
 */
public final class ClipImagePreprocess {

    /** CLIP's input resolution ({@code model.visual.input_resolution} of ViT-B/32; {@code _transform(n_px)}). */
    public static final int INPUT_SIZE = 224;

    /** Per-channel RGB mean of {@code Normalize} in openai/CLIP {@code clip/clip.py} {@code _transform}. */
    public static final List<Float> MEAN = List.of(0.48145466f, 0.4578275f, 0.40821073f);

    /** Per-channel RGB std of {@code Normalize} in openai/CLIP {@code clip/clip.py} {@code _transform}. */
    public static final List<Float> STD = List.of(0.26862954f, 0.26130258f, 0.27577711f);

    // torchvision's Normalize casts mean and std to the tensor's dtype, float32, and so do these.
    private static final float[] MEAN_F = {MEAN.get(0), MEAN.get(1), MEAN.get(2)};
    private static final float[] STD_F = {STD.get(0), STD.get(1), STD.get(2)};

    private ClipImagePreprocess() {
    }

    /** The whole transform: a {@code [3, 224, 224]} float tensor in C order, ready for {@code encode_image}. */
    public static float[] preprocess(Path imageFile) throws IOException {
        return toNormalizedChw(resizeAndCrop(imageFile));
    }

    /** The whole transform for a CLIP of input side {@code target}: {@code [3, target, target]} floats. */
    public static float[] preprocess(Path imageFile, int target) throws IOException {
        return toNormalizedChw(resizeAndCrop(decode(imageFile), target));
    }

    /** Resize + CenterCrop + {@code convert("RGB")} of a PNG or JPEG file, opened in the mode Pillow would use. */
    public static Rgb8Image resizeAndCrop(Path imageFile) throws IOException {
        return resizeAndCrop(decode(imageFile));
    }

    /**
     * Resize + CenterCrop + {@code convert("RGB")}: a 224x224 RGB image.
     *
     * <p>The mode is taken from the colour model: palette -> P, gray -> L / LA (or I for 16-bit gray), CMYK -> CMYK,
     * else RGB / RGBA. Without the file at hand a PNG's tRNS transparency (which ImageIO turns into an alpha band)
     * cannot be told from real alpha, so files should go through {@link #resizeAndCrop(Path)}.
     */
    public static Rgb8Image resizeAndCrop(BufferedImage img) {
        return resizeAndCrop(toPil(img, null));
    }

    /**
     * {@code ToTensor()} then {@code Normalize(MEAN, STD)}: {@code [3, height, width]} floats in C order, each
     * {@code (v / 255 - mean[c]) / std[c]} in float32 arithmetic, as torch computes it.
     */
    public static float[] toNormalizedChw(Rgb8Image img) {
        int plane = img.width() * img.height();
        float[] out = new float[3 * plane];
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = (rgb[p * 3 + c] & 0xFF) / 255f;
                out[c * plane + p] = (v - MEAN_F[c]) / STD_F[c];
            }
        }
        return out;
    }

    /**
     * torchvision's {@code _compute_resized_output_size} for {@code Resize(224)}: the short side becomes 224, the
     * long side {@code int(224 * long / short)} (truncated). Returns {@code {width, height}}.
     */
    static int[] resizedSize(int width, int height) {
        return resizedSize(width, height, INPUT_SIZE);
    }

    static int[] resizedSize(int width, int height, int target) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        // Python's true division of two ints is correctly rounded, as is this double division of exact values.
        int newLong = (int) ((double) ((long) target * longSide) / shortSide);
        return width <= height ? new int[] {target, newLong} : new int[] {newLong, target};
    }

    /**
     * torchvision's {@code center_crop} offset {@code int(round((size - 224) / 2.0))}. Python rounds halves to even
     * (281 -> 28.5 -> 28), which {@link Math#rint} does too and {@link Math#round} does not.
     */
    static int cropOffset(int size) {
        return cropOffset(size, INPUT_SIZE);
    }

    static int cropOffset(int size, int target) {
        return (int) Math.rint((size - target) / 2.0);
    }

    /** As {@link #resizeAndCrop(BufferedImage)} for a CLIP whose input side is {@code target} (e.g. a small CLIP's 64). */
    public static Rgb8Image resizeAndCrop(BufferedImage img, int target) {
        return resizeAndCrop(toPil(img, null), target);
    }

    private static Rgb8Image resizeAndCrop(PilImage image) {
        return resizeAndCrop(image, INPUT_SIZE);
    }

    private static Rgb8Image resizeAndCrop(PilImage image, int target) {
        int[] size = resizedSize(image.width(), image.height(), target);
        // Image.resize returns a plain copy when the size is unchanged: no premultiply round trip then.
        boolean same = size[0] == image.width() && size[1] == image.height();
        PilImage resized = same ? image : image.resize(size[0], size[1]);
        return cropToRgb(resized, cropOffset(size[0], target), cropOffset(size[1], target), target);
    }

    /** {@code crop((left, top, left + 224, top + 224))} and {@code convert("RGB")} in one walk. */
    private static Rgb8Image cropToRgb(PilImage image, int left, int top, int target) {
        byte[] rgb = new byte[target * target * 3];
        for (int y = 0; y < target; y++) {
            for (int x = 0; x < target; x++) {
                image.rgbAt(left + x, top + y, rgb, (y * target + x) * 3);
            }
        }
        return new Rgb8Image(target, target, rgb);
    }

    // ---- Decoding: from ImageIO's view of a file to the mode Pillow opens it in ----

    private static PilImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw notReadable(file, "no such readable file", null);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = in == null ? null : pngOrJpegReader(in);
            if (reader == null) {
                throw notReadable(file, "no PNG or JPEG signature", null);
            }
            try {
                reader.setInput(in, true, false);
                BufferedImage img = reader.read(0);
                return toPil(img, PngHeader.of(reader.getImageMetadata(0)));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // Decoders report broken data with all sorts of exceptions; callers get one kind, naming the file.
            throw e instanceof NotReadable nr ? nr : notReadable(file, String.valueOf(e.getMessage()), e);
        }
    }

    private static ImageReader pngOrJpegReader(ImageInputStream in) {
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
            ImageReader reader = it.next();
            String format = formatName(reader);
            if (format.equals("png") || format.equals("jpeg")) {
                return reader;
            }
        }
        return null;
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }

    private static NotReadable notReadable(Path file, String why, Throwable cause) {
        return new NotReadable(file + " is not a readable PNG/JPEG image (" + why + ")", cause);
    }

    /** The one exception type {@link #decode} throws, so a nested failure is not wrapped twice. */
    private static final class NotReadable extends IOException {
        private static final long serialVersionUID = 1L;

        NotReadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What a PNG's header says, where ImageIO's decoded image and Pillow disagree on what the file holds.
     *
     * @param colorType      IHDR colour type as ImageIO names it: Grayscale, RGB, Palette, GrayAlpha, RGBAlpha
     * @param bitDepth       IHDR bit depth
     * @param paletteEntries entries in PLTE, or -1 without one (ImageIO pads its colour map past them; Pillow does not)
     */
    private record PngHeader(String colorType, int bitDepth, int paletteEntries) {

        /** Null for anything but a PNG. */
        static PngHeader of(IIOMetadata metadata) {
            String format = "javax_imageio_png_1.0";
            if (metadata == null || !format.equals(metadata.getNativeMetadataFormatName())) {
                return null;
            }
            Element root = (Element) metadata.getAsTree(format);
            Node ihdr = root.getElementsByTagName("IHDR").item(0);
            if (ihdr == null) {
                return null;
            }
            Element e = (Element) ihdr;
            boolean hasPalette = root.getElementsByTagName("PLTE").getLength() > 0;
            int entries = hasPalette ? root.getElementsByTagName("PLTEEntry").getLength() : -1;
            return new PngHeader(e.getAttribute("colorType"), Integer.parseInt(e.getAttribute("bitDepth")), entries);
        }

        /** Grayscale or RGB without an alpha channel: any alpha ImageIO reports came from a tRNS chunk. */
        boolean hasNoAlphaChannel() {
            return colorType.equals("Grayscale") || colorType.equals("RGB");
        }
    }

    private static PilImage toPil(BufferedImage img, PngHeader png) {
        ColorModel cm = img.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            int entries = png != null && png.paletteEntries() >= 0 ? png.paletteEntries() : icm.getMapSize();
            Indexed indexed = Indexed.of(img, icm, entries);
            // ImageIO reads 1/2/4-bit grayscale PNGs as palette images; Pillow opens 2- and 4-bit ones as L
            // (bicubic) and 1-bit ones as "1" (nearest, like P).
            boolean lowBitGray = png != null && png.colorType().equals("Grayscale") && png.bitDepth() > 1;
            return lowBitGray ? indexed.toGray() : indexed;
        }
        if (!hasPlainSamples(cm, img.getRaster())) {
            return Bands8.fromArgb(img);
        }
        boolean alpha = cm.hasAlpha() && !(png != null && png.hasNoAlphaChannel());
        int colorBands = cm.getNumColorComponents();
        int bits = cm.getComponentSize(0);
        if (bits == 16 && colorBands == 1 && !alpha) {
            return Int32.of(img.getRaster());
        }
        return Bands8.of(img.getRaster(), Mode8.of(colorBands, alpha), bits - 8);
    }

    /** Unpremultiplied 8- or 16-bit gray, RGB or CMYK samples that can be read straight from the raster. */
    private static boolean hasPlainSamples(ColorModel cm, Raster raster) {
        boolean modelOk = (cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
                && !cm.isAlphaPremultiplied();
        int colors = cm.getNumColorComponents();
        int bits = cm.getComponentSize(0);
        boolean sizesOk = bits == 8 || bits == 16;
        for (int i = 1; i < cm.getNumComponents(); i++) {
            sizesOk &= cm.getComponentSize(i) == bits;
        }
        int type = raster.getTransferType();
        boolean typeOk = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_INT;
        // Gray, RGB, or CMYK (ImageIO's Adobe JPEGs, whose samples are Pillow's) without alpha.
        boolean cmyk = colors == 4 && cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK && !cm.hasAlpha();
        boolean colorsOk = colors == 1 || colors == 3 || cmyk;
        return modelOk && sizesOk && typeOk && colorsOk && raster.getNumBands() == cm.getNumComponents();
    }

    // ---- The three kinds of Pillow image this transform meets ----

    /** An image as Pillow holds it: its own resize, and {@code convert("RGB")} of one pixel. */
    private sealed interface PilImage permits Bands8, Indexed, Int32 {
        int width();

        int height();

        /** {@code Image.resize((w, h), Image.BICUBIC)}, with the substitutions Pillow makes for this mode. */
        PilImage resize(int w, int h);

        /** Writes R, G, B of {@code convert("RGB")} at (x, y) to {@code out[offset..offset+2]}. */
        void rgbAt(int x, int y, byte[] out, int offset);
    }

    /** The 8-bit Pillow modes this transform meets, by their band layout. */
    private enum Mode8 {
        L(1, false), LA(2, true), RGB(3, false), RGBA(4, true), CMYK(4, false);

        final int bands;
        /** Whether the last band is alpha, which Image.resize premultiplies. */
        final boolean alpha;

        Mode8(int bands, boolean alpha) {
            this.bands = bands;
            this.alpha = alpha;
        }

        /** From the colour components (1 gray, 3 RGB, 4 CMYK) and whether an alpha band follows them. */
        static Mode8 of(int colorBands, boolean alpha) {
            return switch (colorBands) {
                case 1 -> alpha ? LA : L;
                case 3 -> alpha ? RGBA : RGB;
                case 4 -> CMYK;
                default -> throw new IllegalArgumentException(colorBands + " colour components");
            };
        }
    }

    /** Modes L, LA, RGB, RGBA, CMYK: interleaved 8-bit bands, alpha last. */
    private record Bands8(int width, int height, Mode8 mode, byte[] samples) implements PilImage {

        /** The mode's bands of the raster, shifted right by {@code shift} (8 for 16-bit: keep the high byte). */
        static Bands8 of(Raster raster, Mode8 mode, int shift) {
            int w = raster.getWidth();
            int h = raster.getHeight();
            int all = raster.getNumBands();
            int bands = mode.bands;
            byte[] samples = new byte[w * h * bands];
            int[] row = new int[w * all];
            for (int y = 0; y < h; y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int b = 0; b < bands; b++) {
                        samples[(y * w + x) * bands + b] = (byte) (row[x * all + b] >> shift);
                    }
                }
            }
            return new Bands8(w, h, mode, samples);
        }

        /** Fallback for unusual colour models: Java's sRGB conversion, then RGB or RGBA. */
        static Bands8 fromArgb(BufferedImage img) {
            int w = img.getWidth();
            int h = img.getHeight();
            Mode8 mode = img.getColorModel().hasAlpha() ? Mode8.RGBA : Mode8.RGB;
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            byte[] samples = new byte[w * h * mode.bands];
            for (int p = 0; p < argb.length; p++) {
                int[] rgba = {argb[p] >> 16, argb[p] >> 8, argb[p], argb[p] >>> 24};
                for (int b = 0; b < mode.bands; b++) {
                    samples[p * mode.bands + b] = (byte) rgba[b];
                }
            }
            return new Bands8(w, h, mode, samples);
        }

        @Override
        public PilImage resize(int w, int h) {
            int bands = mode.bands;
            if (!mode.alpha) {
                return new Bands8(w, h, mode, PillowBicubic.resize(samples, width, height, bands, w, h));
            }
            // Image.resize: LA -> La, RGBA -> RGBa, resize, and back, so transparent pixels do not bleed colour.
            byte[] resized = PillowBicubic.resize(premultiplied(), width, height, bands, w, h);
            unpremultiply(resized, bands);
            return new Bands8(w, h, mode, resized);
        }

        /** Pillow's {@code rgbA2rgba} / {@code la2lA}: {@code MULDIV255(v, alpha)}, a rounded v * alpha / 255. */
        private byte[] premultiplied() {
            int bands = mode.bands;
            byte[] out = samples.clone();
            for (int p = 0; p < out.length; p += bands) {
                int alpha = out[p + bands - 1] & 0xFF;
                for (int b = 0; b < bands - 1; b++) {
                    out[p + b] = (byte) mulDiv255(out[p + b] & 0xFF, alpha);
                }
            }
            return out;
        }

        /** Pillow's {@code rgba2rgbA} / {@code lA2la}: {@code CLIP8(255 * v / alpha)}; alpha 0 or 255 left as is. */
        private static void unpremultiply(byte[] samples, int bands) {
            for (int p = 0; p < samples.length; p += bands) {
                int alpha = samples[p + bands - 1] & 0xFF;
                if (alpha == 0 || alpha == 255) {
                    continue;
                }
                for (int b = 0; b < bands - 1; b++) {
                    samples[p + b] = (byte) Math.min(255 * (samples[p + b] & 0xFF) / alpha, 255);
                }
            }
        }

        /** {@code convert("RGB")}: gray replicated, alpha dropped, CMYK by Pillow's {@code cmyk2rgb}. */
        @Override
        public void rgbAt(int x, int y, byte[] out, int offset) {
            int p = (y * width + x) * mode.bands;
            switch (mode) {
                case L, LA -> {
                    out[offset] = samples[p];
                    out[offset + 1] = samples[p];
                    out[offset + 2] = samples[p];
                }
                case RGB, RGBA -> System.arraycopy(samples, p, out, offset, 3);
                case CMYK -> {
                    int notK = 255 - (samples[p + 3] & 0xFF);
                    for (int c = 0; c < 3; c++) {
                        // CLIP8(nk - MULDIV255(c, nk)): never below 0 since MULDIV255(c, nk) <= nk.
                        out[offset + c] = (byte) (notK - mulDiv255(samples[p + c] & 0xFF, notK));
                    }
                }
            }
        }
    }

    /** Pillow's {@code MULDIV255(a, b)} (ImagingUtils.h): a * b / 255, rounded, without a division. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    /** Modes P and 1: palette indices, resized by nearest neighbour because Image.resize forces NEAREST for them. */
    private record Indexed(int width, int height, byte[] indices, int[] palette) implements PilImage {

        /** The indices, and the first {@code entries} colours of the colour map as the palette. */
        static Indexed of(BufferedImage img, IndexColorModel icm, int entries) {
            int w = img.getWidth();
            int h = img.getHeight();
            int[] row = new int[w];
            byte[] indices = new byte[w * h];
            Raster raster = img.getRaster();
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    indices[y * w + x] = (byte) row[x];
                }
            }
            int[] map = new int[icm.getMapSize()];
            icm.getRGBs(map);
            return new Indexed(w, h, indices, Arrays.copyOf(map, Math.min(entries, map.length)));
        }

        /** The image as mode L: each index replaced by its (gray) palette entry. */
        Bands8 toGray() {
            byte[] gray = new byte[indices.length];
            for (int i = 0; i < indices.length; i++) {
                gray[i] = (byte) (rgbOf(indices[i] & 0xFF) >> 16);
            }
            return new Bands8(width, height, Mode8.L, gray);
        }

        /**
         * Pillow's {@code ImagingScaleAffine} (Geometry.c) as {@code _resize} calls it for NEAREST: source position
         * {@code (i + 0.5) * in / out}, accumulated step by step in double, truncated; outside the image gives 0.
         */
        @Override
        public PilImage resize(int w, int h) {
            int[] xs = nearestPositions(width, w);
            int[] ys = nearestPositions(height, h);
            byte[] out = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean inside = ys[y] >= 0 && xs[x] >= 0;
                    out[y * w + x] = inside ? indices[ys[y] * width + xs[x]] : 0;
                }
            }
            return new Indexed(w, h, out, palette);
        }

        /** Input index per output index, or -1 where Pillow's {@code COORD} falls outside {@code [0, inSize)}. */
        private static int[] nearestPositions(int inSize, int outSize) {
            double step = (double) inSize / outSize;
            double pos = step * 0.5; // a[2] + a[0] * 0.5 with a[2] = box[0] = 0
            int[] table = new int[outSize];
            for (int i = 0; i < outSize; i++) {
                int in = pos < 0.0 ? -1 : (int) pos;
                table[i] = in < inSize ? in : -1;
                pos += step; // accumulated, not multiplied: the C does so, and the rounding differs
            }
            return table;
        }

        /** Palette entry as 0xRRGGBB; past the palette, Pillow's initial gray ramp (i, i, i) shows through. */
        private int rgbOf(int index) {
            return index < palette.length ? palette[index] & 0xFFFFFF : index * 0x010101;
        }

        @Override
        public void rgbAt(int x, int y, byte[] out, int offset) {
            int rgb = rgbOf(indices[y * width + x] & 0xFF);
            out[offset] = (byte) (rgb >> 16);
            out[offset + 1] = (byte) (rgb >> 8);
            out[offset + 2] = (byte) rgb;
        }
    }

    /** Mode I, which Pillow uses for 16-bit grayscale PNGs: the raw 0..65535 values. */
    private record Int32(int width, int height, int[] values) implements PilImage {

        static Int32 of(Raster raster) {
            int w = raster.getWidth();
            int h = raster.getHeight();
            int[] values = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
            return new Int32(w, h, values);
        }

        @Override
        public PilImage resize(int w, int h) {
            return new Int32(w, h, PillowBicubic.resizeInt32(values, width, height, w, h));
        }

        /** Pillow's {@code i2rgb}: the value clipped to 0..255 (not rescaled) into all three channels. */
        @Override
        public void rgbAt(int x, int y, byte[] out, int offset) {
            int v = values[y * width + x];
            byte clipped = (byte) (v <= 0 ? 0 : Math.min(v, 255));
            out[offset] = clipped;
            out[offset + 1] = clipped;
            out[offset + 2] = clipped;
        }
    }
}
