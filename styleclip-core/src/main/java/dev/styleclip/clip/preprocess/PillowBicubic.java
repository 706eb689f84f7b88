package dev.styleclip.clip.preprocess;

/**
 * Pillow's {@code Image.resize(size, Image.BICUBIC)} without a box, ported from Pillow 9.4
 * {@code src/libImaging/Resample.c}: {@code bicubic_filter}, {@code precompute_coeffs},
 * {@code normalize_coeffs_8bpc}, {@code ImagingResampleHorizontal_8bpc} / {@code Vertical_8bpc},
 * the {@code _32bpc} pair for mode "I", and the pass logic of {@code ImagingResampleInner}.
 *
 * <p>What makes it Pillow's and not textbook bicubic, all copied here:
 * <ul>
 *   <li>a = -0.5 (Keys), support 2, and when downscaling the support is stretched by the scale factor,
 *       so the filter also antialiases;</li>
 *   <li>separable: a horizontal pass first, then a vertical pass, each skipped when that side keeps its size;</li>
 *   <li>on 8-bit data the normalised weights become fixed point with {@link #PRECISION_BITS} fraction bits,
 *       sums are integer, and each pass rounds and clamps back to 0..255 before the next one;</li>
 *   <li>on 32-bit integer data (mode "I") weights and sums stay double and each pass rounds half away from zero.</li>
 * </ul>
 * Channels are independent, so any interleaved band count (1 to 4) gives Pillow's result for the matching mode.
 */
public final class PillowBicubic {

    /** {@code PRECISION_BITS = 32 - 8 - 2}: 8 bits for the value, 2 spare bits for overshoot of the negative lobes. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    /** Pillow's {@code BICUBIC.support}: the kernel is zero beyond |x| = 2 (before scaling). */
    private static final double SUPPORT = 2.0;

    /** The Keys parameter {@code a} of Pillow's {@code bicubic_filter}. */
    private static final double A = -0.5;

    private PillowBicubic() {
    }

    /**
     * Per output pixel of one pass: the first input pixel, how many inputs contribute, and their normalised weights.
     *
     * @param ksize   stride between the weight rows ({@code ceil(support) * 2 + 1})
     * @param bounds  {@code [xmin, count]} per output pixel
     * @param weights {@code outSize * ksize} weights, each row summing to 1
     */
    record Coefficients(int ksize, int[] bounds, double[] weights) {
    }

    /** Resizes {@code channels} interleaved 8-bit bands (Pillow modes L, LA/La, RGB, RGBA/RGBa). */
    public static byte[] resize(byte[] src, int width, int height, int channels, int outWidth, int outHeight) {
        checkSize(src.length, width, height, channels, outWidth, outHeight);
        Coefficients vertical = precomputeCoeffs(height, outHeight);
        int[] rows = usedRows(vertical, outHeight);
        byte[] image = src;
        if (outWidth != width) {
            // Like Pillow, only the rows the vertical pass reads are resampled horizontally.
            Coefficients horizontal = precomputeCoeffs(width, outWidth);
            image = horizontal8(src, width, channels, rows[0], rows[1] - rows[0], horizontal, outWidth);
            vertical = shiftBounds(vertical, -rows[0]);
        }
        if (outHeight != height) {
            image = vertical8(image, outWidth * channels, vertical, outHeight);
        }
        return image == src ? src.clone() : image;
    }

    /** Resizes one band of 32-bit integers (Pillow mode "I", e.g. a 16-bit grayscale PNG). */
    public static int[] resizeInt32(int[] src, int width, int height, int outWidth, int outHeight) {
        checkSize(src.length, width, height, 1, outWidth, outHeight);
        Coefficients vertical = precomputeCoeffs(height, outHeight);
        int[] rows = usedRows(vertical, outHeight);
        int[] image = src;
        if (outWidth != width) {
            image = horizontal32(src, width, rows[0], rows[1] - rows[0], precomputeCoeffs(width, outWidth), outWidth);
            vertical = shiftBounds(vertical, -rows[0]);
        }
        if (outHeight != height) {
            image = vertical32(image, outWidth, vertical, outHeight);
        }
        return image == src ? src.clone() : image;
    }

    /** Pillow's {@code bicubic_filter}: Keys' cubic convolution kernel with a = -0.5. */
    static double bicubicFilter(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    /**
     * Pillow's {@code precompute_coeffs} for the box {@code [0, inSize]}: output pixel {@code xx} is centred on input
     * coordinate {@code (xx + 0.5) * scale}; for a downscale the kernel is widened by {@code scale} (antialiasing).
     * The arithmetic, including where it rounds, follows the C line by line so the weights are bit-identical.
     */
    static Coefficients precomputeCoeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        double[] weights = new double[outSize * ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            // (int) truncates toward zero, as the C cast does; "+ 0.5" is Pillow's rounding.
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            fillWeights(weights, xx * ksize, xmin, xmax, center, ss);
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    /** The weight row of one output pixel, normalised to sum 1 (divided, not multiplied by a reciprocal, as in C). */
    private static void fillWeights(double[] k, int offset, int xmin, int count, double center, double ss) {
        double ww = 0.0;
        for (int x = 0; x < count; x++) {
            double w = bicubicFilter((x + xmin - center + 0.5) * ss);
            k[offset + x] = w;
            ww += w;
        }
        if (ww != 0.0) {
            for (int x = 0; x < count; x++) {
                k[offset + x] /= ww;
            }
        }
    }

    /** Pillow's {@code normalize_coeffs_8bpc}: weights to fixed point, rounded half away from zero. */
    static int[] toFixedPoint(double[] weights) {
        int[] fixed = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double scaled = weights[i] * (1 << PRECISION_BITS);
            fixed[i] = weights[i] < 0 ? (int) (-0.5 + scaled) : (int) (0.5 + scaled);
        }
        return fixed;
    }

    /** Pillow's {@code clip8}: drop the fraction bits (arithmetic shift, i.e. floor) and clamp to 0..255. */
    static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Pillow's {@code ROUND_UP} for the 32-bit pass: round half away from zero, then truncate. */
    static int roundUp(double f) {
        return (int) (f >= 0.0 ? f + 0.5F : f - 0.5F);
    }

    /** {@code ImagingResampleHorizontal_8bpc} over rows {@code [rowFirst, rowFirst + rows)} of the input. */
    private static byte[] horizontal8(
            byte[] src, int width, int channels, int rowFirst, int rows, Coefficients c, int outWidth) {
        int[] k = toFixedPoint(c.weights());
        byte[] out = new byte[rows * outWidth * channels];
        for (int yy = 0; yy < rows; yy++) {
            int inRow = (yy + rowFirst) * width * channels;
            int outRow = yy * outWidth * channels;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = c.bounds()[xx * 2];
                int count = c.bounds()[xx * 2 + 1];
                int kOff = xx * c.ksize();
                for (int ch = 0; ch < channels; ch++) {
                    int ss = 1 << (PRECISION_BITS - 1); // the rounding half, added once up front
                    for (int x = 0; x < count; x++) {
                        ss += (src[inRow + (x + xmin) * channels + ch] & 0xFF) * k[kOff + x];
                    }
                    out[outRow + xx * channels + ch] = (byte) clip8(ss);
                }
            }
        }
        return out;
    }

    /** {@code ImagingResampleVertical_8bpc}; {@code rowLength} = width * channels. */
    private static byte[] vertical8(byte[] src, int rowLength, Coefficients c, int outHeight) {
        int[] k = toFixedPoint(c.weights());
        byte[] out = new byte[outHeight * rowLength];
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = c.bounds()[yy * 2];
            int count = c.bounds()[yy * 2 + 1];
            int kOff = yy * c.ksize();
            for (int i = 0; i < rowLength; i++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < count; y++) {
                    ss += (src[(y + ymin) * rowLength + i] & 0xFF) * k[kOff + y];
                }
                out[yy * rowLength + i] = (byte) clip8(ss);
            }
        }
        return out;
    }

    /** {@code ImagingResampleHorizontal_32bpc}, INT32 case: double sums in input order, then {@link #roundUp}. */
    private static int[] horizontal32(int[] src, int width, int rowFirst, int rows, Coefficients c, int outWidth) {
        double[] k = c.weights();
        int[] out = new int[rows * outWidth];
        for (int yy = 0; yy < rows; yy++) {
            int inRow = (yy + rowFirst) * width;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = c.bounds()[xx * 2];
                int count = c.bounds()[xx * 2 + 1];
                double ss = 0.0;
                for (int x = 0; x < count; x++) {
                    ss += src[inRow + x + xmin] * k[xx * c.ksize() + x];
                }
                out[yy * outWidth + xx] = roundUp(ss);
            }
        }
        return out;
    }

    /** {@code ImagingResampleVertical_32bpc}, INT32 case. */
    private static int[] vertical32(int[] src, int width, Coefficients c, int outHeight) {
        double[] k = c.weights();
        int[] out = new int[outHeight * width];
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = c.bounds()[yy * 2];
            int count = c.bounds()[yy * 2 + 1];
            for (int xx = 0; xx < width; xx++) {
                double ss = 0.0;
                for (int y = 0; y < count; y++) {
                    ss += src[(y + ymin) * width + xx] * k[yy * c.ksize() + y];
                }
                out[yy * width + xx] = roundUp(ss);
            }
        }
        return out;
    }

    /** {@code [ybox_first, ybox_last)}: the input rows that the vertical pass reads. */
    private static int[] usedRows(Coefficients vertical, int outHeight) {
        int[] b = vertical.bounds();
        return new int[] {b[0], b[outHeight * 2 - 2] + b[outHeight * 2 - 1]};
    }

    private static Coefficients shiftBounds(Coefficients c, int delta) {
        int[] bounds = c.bounds().clone();
        for (int i = 0; i < bounds.length; i += 2) {
            bounds[i] += delta;
        }
        return new Coefficients(c.ksize(), bounds, c.weights());
    }

    private static void checkSize(int length, int width, int height, int channels, int outWidth, int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: " + width + "x" + height + " -> " + outWidth + "x" + outHeight);
        }
        if (length != (long) width * height * channels) {
            throw new IllegalArgumentException(
                    "expected " + ((long) width * height * channels) + " samples for " + width + "x" + height
                            + "x" + channels + ", got " + length);
        }
    }
}
