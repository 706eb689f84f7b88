package dev.styleclip.world;

import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Batches of the world for training: portraits of consecutive seeds rendered at a size and stacked into a
 * float tensor [N, 3, H, W] in [-1, 1] (a byte v becomes v / 127.5 - 1, so {@link dev.styleclip.image.Images#toImage}
 * gives the same pixels back), with their attributes.
 */
public final class WorldDataset {
    private WorldDataset() {
    }

    /** A rendered batch: images [N, 3, size, size] in [-1, 1] and the samples they show, in order. */
    public record Batch(Tensor images, List<WorldSample> samples) implements AutoCloseable {
        public int size() {
            return samples.size();
        }

        @Override
        public void close() {
            images.close();
        }
    }

    /** The samples of seeds {@code firstSeed} ... {@code firstSeed + count - 1}. */
    public static List<WorldSample> samples(long firstSeed, int count) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
        List<WorldSample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(WorldSampler.sample(firstSeed + i));
        return out;
    }

    /** Renders seeds {@code firstSeed} ... {@code firstSeed + count - 1} at {@code size} px. */
    public static Batch batch(long firstSeed, int count, int size) {
        return batch(samples(firstSeed, count), size);
    }

    /** Renders {@code samples} at {@code size} px. */
    public static Batch batch(List<WorldSample> samples, int size) {
        if (samples.isEmpty()) throw new IllegalArgumentException("a batch needs at least one sample");
        int plane = size * size;
        float[] data = new float[samples.size() * 3 * plane];
        for (int i = 0; i < samples.size(); i++) {
            writeChw(PortraitRenderer.render(samples.get(i), size), data, i * 3 * plane);
        }
        Engine.init();
        return new Batch(Tensors.floats(data, samples.size(), 3, size, size), List.copyOf(samples));
    }

    /** Images (all of one size) as a tensor [N, 3, H, W] in [-1, 1]. */
    public static Tensor toTensor(List<BufferedImage> images) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images");
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        float[] data = new float[images.size() * 3 * w * h];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            if (img.getWidth() != w || img.getHeight() != h) {
                throw new IllegalArgumentException("image " + i + " is " + img.getWidth() + "x" + img.getHeight() + ", expected " + w + "x" + h);
            }
            writeChw(img, data, i * 3 * w * h);
        }
        Engine.init();
        return Tensors.floats(data, images.size(), 3, h, w);
    }

    /** Writes {@code img} as three planes (R, G, B) of values in [-1, 1] into {@code dst} from {@code offset}. */
    public static void writeChw(BufferedImage img, float[] dst, int offset) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        int[] rgb = img.getType() == BufferedImage.TYPE_INT_RGB
                ? ((DataBufferInt) img.getRaster().getDataBuffer()).getData()
                : img.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            int v = rgb[p];
            dst[offset + p] = ((v >> 16) & 0xff) / 127.5f - 1f;
            dst[offset + plane + p] = ((v >> 8) & 0xff) / 127.5f - 1f;
            dst[offset + 2 * plane + p] = (v & 0xff) / 127.5f - 1f;
        }
    }
}
