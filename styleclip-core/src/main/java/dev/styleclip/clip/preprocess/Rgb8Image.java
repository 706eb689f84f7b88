package dev.styleclip.clip.preprocess;

/**
 * An 8-bit RGB image, row-major and channel-interleaved ({@code [height, width, 3]}, the layout of
 * {@code numpy.asarray(pil_image)} for a mode "RGB" image).
 *
 * <p>The array is shared, not copied: callers that keep one must not change it.
 *
 * @param width  pixels per row
 * @param height rows
 * @param rgb    {@code width * height * 3} bytes, read as unsigned: R, G, B of pixel (0,0), then (1,0), ...
 */
public record Rgb8Image(int width, int height, byte[] rgb) {

    public Rgb8Image {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + ((long) width * height * 3) + " bytes for "
                    + width + "x" + height + " RGB, got " + rgb.length);
        }
    }

    /** The value 0..255 of channel {@code c} (0 = R, 1 = G, 2 = B) at column {@code x}, row {@code y}. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
