package dev.styleclip.image;

import dev.styleclip.io.AtomicFiles;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.pytorch.Tensor;

/**
 * Generator images to and from files. Conversion follows StyleCLIP's {@code torchvision.utils.save_image(
 * img, normalize=True, range=(-1, 1))}: (x + 1) / 2, clamp to [0, 1], * 255 + 0.5, truncate to uint8.
 * PNGs carry text chunks (provenance), and are written atomically.
 */
public final class Images {
    private Images() {
    }

    /** One image of a batch [N, 3, H, W] in [-1, 1] as an RGB BufferedImage. */
    public static BufferedImage toImage(Tensor batch, int index) {
        Tensors.checkShape("image batch", batch, -1, 3, -1, -1);
        int h = (int) batch.size(2);
        int w = (int) batch.size(3);
        float[] v = Tensors.toFloatArray(batch.select(0, index));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                img.setRGB(x, y, (toByte(v[p]) << 16) | (toByte(v[plane + p]) << 8) | toByte(v[2 * plane + p]));
            }
        }
        return img;
    }

    /**
     * StyleCLIP global directions' conversion (manipulate.py {@code GenerateImg}): ((x + 1) * 127.5)
     * clamped to [0, 255] and truncated to uint8, as an [N, H, W, 3] float tensor of the byte values.
     */
    public static Tensor toUint8Nhwc(Tensor batch) {
        return batch.add(new org.bytedeco.pytorch.Scalar(1.0)).mul(new org.bytedeco.pytorch.Scalar(255.0 / 2))
                .permute(0, 2, 3, 1).clamp(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(0.0)),
                        new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(255.0)))
                .to(org.bytedeco.pytorch.global.torch.ScalarType.Byte).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
    }

    static int toByte(float x) {
        double u = Math.min(1.0, Math.max(0.0, (x + 1.0) / 2.0));
        return (int) Math.min(255.0, u * 255.0 + 0.5);
    }

    /** Images side by side, left to right (a before/after strip, an alpha sweep). */
    public static BufferedImage strip(List<BufferedImage> images) {
        int w = 0;
        int h = 0;
        for (BufferedImage i : images) {
            w += i.getWidth();
            h = Math.max(h, i.getHeight());
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        int x = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, x, 0, null);
            x += i.getWidth();
        }
        g.dispose();
        return out;
    }

    /** Images in a grid of {@code columns} columns, row by row (a contact sheet); cells take the largest size. */
    public static BufferedImage grid(List<BufferedImage> images, int columns) {
        if (columns < 1) throw new IllegalArgumentException("columns must be positive, got " + columns);
        if (images.isEmpty()) throw new IllegalArgumentException("no images for a grid");
        int cw = 0;
        int ch = 0;
        for (BufferedImage i : images) {
            cw = Math.max(cw, i.getWidth());
            ch = Math.max(ch, i.getHeight());
        }
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * cw, rows * ch, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        for (int k = 0; k < images.size(); k++) g.drawImage(images.get(k), (k % cols) * cw, (k / cols) * ch, null);
        g.dispose();
        return out;
    }

    /** {@code img} enlarged {@code scale} times by bicubic interpolation, for pictures of small images. */
    public static BufferedImage enlarge(BufferedImage img, int scale) {
        BufferedImage big = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(img, 0, 0, big.getWidth(), big.getHeight(), null);
        g.dispose();
        return big;
    }

    public static List<BufferedImage> toImages(Tensor batch) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < batch.size(0); i++) out.add(toImage(batch, i));
        return out;
    }

    /** Writes a PNG (or JPEG, by extension) atomically; PNGs get {@code text} as tEXt chunks. */
    public static void write(Path file, BufferedImage img, Map<String, String> text) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        boolean jpeg = name.endsWith(".jpg") || name.endsWith(".jpeg");
        if (!jpeg && !name.endsWith(".png")) throw new IOException(file + ": image files must end in .png, .jpg or .jpeg");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (jpeg) {
            ImageIO.write(img, "jpeg", bytes);
        } else {
            writePng(img, text, bytes);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private static void writePng(BufferedImage img, Map<String, String> text, ByteArrayOutputStream bytes) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        ImageWriter writer = writers.next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
        if (!text.isEmpty()) {
            IIOMetadataNode textNode = new IIOMetadataNode("tEXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", e.getKey());
                entry.setAttribute("value", e.getValue());
                textNode.appendChild(entry);
            }
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(textNode);
            meta.mergeTree("javax_imageio_png_1.0", root);
        }
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, meta), param);
        } finally {
            writer.dispose();
        }
    }
}
