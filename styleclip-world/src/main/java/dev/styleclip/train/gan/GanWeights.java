package dev.styleclip.train.gan;

import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.stylegan2.Ops;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Freshly initialised weights in rosinality's layout (stylegan2-pytorch model.py), keys in its state_dict order:
 * EqualLinear weights N(0, 1) / lr_mul, biases bias_init (1 for the modulations, 0 otherwise), conv weights and the
 * constant input N(0, 1), noise strengths and activation biases 0, blur kernels make_kernel([1,3,3,1]) (times 4 where
 * they upsample), noise buffers N(0, 1). Draws from torch's global generator (seed it first).
 */
public final class GanWeights {
    private GanWeights() {
    }

    /** Buffers (blur kernels, noise maps): part of the state dict but never trained. */
    public static boolean isBuffer(String key) {
        return key.endsWith(".kernel") || key.startsWith("noises.");
    }

    /** The generator's weights; {@code Generator.create(cfg, StateDict.ofTensors(..))} takes exactly these keys. */
    public static Map<String, Tensor> generator(GeneratorConfig cfg) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        int d = cfg.styleDim();
        Map<Integer, Integer> ch = cfg.channels();
        for (int i = 1; i <= cfg.nMlp(); i++) {
            m.put("style." + i + ".weight", torch.randn(d, d).div(new Scalar(0.01)));
            m.put("style." + i + ".bias", torch.zeros(d));
        }
        m.put("input.input", torch.randn(1, ch.get(4), 4, 4));
        styledConv(m, "conv1.", ch.get(4), ch.get(4), d, false);
        toRgb(m, "to_rgb1.", ch.get(4), d, false);
        int in = ch.get(4);
        int j = 0;
        for (int res = 8; res <= cfg.size(); res *= 2) {
            int out = ch.get(res);
            styledConv(m, "convs." + j + ".", in, out, d, true);
            styledConv(m, "convs." + (j + 1) + ".", out, out, d, false);
            j += 2;
            in = out;
        }
        j = 0;
        for (int res = 8; res <= cfg.size(); res *= 2) toRgb(m, "to_rgbs." + j++ + ".", ch.get(res), d, true);
        for (int i = 0; i < cfg.numLayers(); i++) {
            int r = 1 << ((i + 5) / 2);
            m.put("noises.noise_" + i, torch.randn(1, 1, r, r));
        }
        return m;
    }

    private static void styledConv(Map<String, Tensor> m, String p, int in, int out, int d, boolean up) {
        m.put(p + "conv.weight", torch.randn(1, out, in, 3, 3));
        if (up) m.put(p + "conv.blur.kernel", Ops.blurKernel(4));
        m.put(p + "conv.modulation.weight", torch.randn(in, d));
        m.put(p + "conv.modulation.bias", torch.ones(in));
        m.put(p + "noise.weight", torch.zeros(1));
        m.put(p + "activate.bias", torch.zeros(out));
    }

    private static void toRgb(Map<String, Tensor> m, String p, int in, int d, boolean up) {
        m.put(p + "bias", torch.zeros(1, 3, 1, 1));
        if (up) m.put(p + "upsample.kernel", Ops.blurKernel(4));
        m.put(p + "conv.weight", torch.randn(1, 3, in, 1, 1));
        m.put(p + "conv.modulation.weight", torch.randn(in, d));
        m.put(p + "conv.modulation.bias", torch.ones(in));
    }

    /** The discriminator's weights ({@link Discriminator#shapes} in order). */
    public static Map<String, Tensor> discriminator(int size, Map<Integer, Integer> channels) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Discriminator.shapes(size, channels).forEach((k, s) -> {
            Tensor t;
            if (k.endsWith(".kernel")) t = Ops.blurKernel(1);
            else if (k.endsWith(".bias")) t = torch.zeros(s);
            else t = torch.randn(s);
            m.put(k, t);
        });
        return m;
    }
}
