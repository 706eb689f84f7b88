package dev.styleclip.train.gan;

import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;

/**
 * Real images from a folder of PNG/JPEG files, all size x size, held in memory as RGB bytes. Batches walk a seeded
 * shuffle of the images, reshuffled each epoch: batch(step) is a function of (seed, step) alone. No flips or other
 * augmentation.
 */
public final class ImageFolderBatches implements ImageBatches {
    private final List<byte[]> images;
    private final int size;
    private final long seed;

    private ImageFolderBatches(List<byte[]> images, int size, long seed) {
        this.images = images;
        this.size = size;
        this.seed = seed;
    }

    /** Reads every .png/.jpg/.jpeg directly in {@code dir} (sorted by name). */
    public static ImageFolderBatches read(Path dir, int size, long seed) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException(dir + ": no .png/.jpg images");
        List<byte[]> images = new ArrayList<>();
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) throw new IOException(f + ": not a readable image");
            if (img.getWidth() != size || img.getHeight() != size) {
                throw new IOException(f + ": is " + img.getWidth() + "x" + img.getHeight() + ", the run needs " + size + "x" + size);
            }
            byte[] rgb = new byte[3 * size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int p = img.getRGB(x, y);
                    int i = y * size + x;
                    rgb[i] = (byte) (p >> 16);
                    rgb[size * size + i] = (byte) (p >> 8);
                    rgb[2 * size * size + i] = (byte) p;
                }
            }
            images.add(rgb);
        }
        return new ImageFolderBatches(images, size, seed);
    }

    public int count() {
        return images.size();
    }

    private int[] order(long epoch) {
        int n = images.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Random r = new Random(seed * 31 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    @Override
    public Tensor batch(long step, int batchSize) {
        int n = images.size();
        int plane = 3 * size * size;
        float[] v = new float[batchSize * plane];
        long first = step * batchSize;
        long cachedEpoch = -1;
        int[] idx = null;
        for (int b = 0; b < batchSize; b++) {
            long k = first + b;
            long epoch = k / n;
            if (epoch != cachedEpoch) {
                idx = order(epoch);
                cachedEpoch = epoch;
            }
            byte[] img = images.get(idx[(int) (k % n)]);
            for (int i = 0; i < plane; i++) v[b * plane + i] = (img[i] & 0xff) / 127.5f - 1f;
        }
        return Tensors.floats(v, batchSize, 3, size, size);
    }
}
