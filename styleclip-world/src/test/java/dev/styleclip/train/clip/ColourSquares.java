package dev.styleclip.train.clip;

import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A tiny synthetic world: a solid coloured square at a random place on a grey background, captioned by colour. */
final class ColourSquares implements ImageTextBatches {
    static final String[] NAMES = {"red", "green", "blue", "yellow"};
    static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
    final int size;

    ColourSquares(int size) {
        this.size = size;
    }

    static String caption(int colour) {
        return "a " + NAMES[colour] + " square";
    }

    @Override
    public Batch batch(long step, int n) {
        Random r = new Random(1234 + step);
        int[] colours = new int[n];
        for (int i = 0; i < n; i++) colours[i] = r.nextInt(NAMES.length);
        return images(colours, r);
    }

    Batch images(int[] colours, Random r) {
        int n = colours.length, s = size, side = s / 2;
        float[] px = new float[n * 3 * s * s];
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int x0 = r.nextInt(s - side + 1), y0 = r.nextInt(s - side + 1);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        boolean in = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
                        px[((i * 3 + c) * s + y) * s + x] = in ? RGB[colours[i]][c] : 0f;
                    }
                }
            }
            captions.add(caption(colours[i]));
        }
        return new Batch(Tensors.floats(px, n, 3, s, s), captions);
    }
}
