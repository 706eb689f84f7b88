package dev.styleclip.edit.mapper;

import java.util.SplittableRandom;

/**
 * Which training latents each step uses, as a pure function of the step: the coach's
 * {@code DataLoader(shuffle=True, drop_last=True)} draws a new permutation every epoch of {@code N / batch_size}
 * batches. Being a function of the step (and a seed) rather than of a running random generator is what lets a
 * resumed run see exactly the batches it would have seen.
 */
@FunctionalInterface
public interface BatchOrder {
    /** Indices into the training latents for global step {@code step}. */
    int[] batch(long step);

    /** A fresh permutation per epoch, from {@code seed} and the epoch number; incomplete last batches are dropped. */
    static BatchOrder shuffled(int datasetSize, int batchSize, long seed) {
        int perEpoch = datasetSize / batchSize;
        if (perEpoch < 1) {
            throw new IllegalArgumentException(datasetSize + " training latents do not fill one batch of " + batchSize);
        }
        return step -> {
            long epoch = step / perEpoch;
            int within = (int) (step % perEpoch);
            int[] perm = permutation(datasetSize, seed + epoch * 0x9E3779B97F4A7C15L); // one stream per (seed, epoch)
            int[] out = new int[batchSize];
            System.arraycopy(perm, within * batchSize, out, 0, batchSize);
            return out;
        };
    }

    /** A recorded order (e.g. the reference run's), repeated if the run is longer. */
    static BatchOrder fixed(int[][] batches) {
        int[][] copy = batches.clone();
        return step -> copy[(int) (step % copy.length)].clone();
    }

    private static int[] permutation(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
