package dev.styleclip.bench;

import dev.styleclip.arcface.Backbone;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * ID-loss timing: StyleCLIP's IDLoss (both images through the full-size IR-SE50, as the reference does every
 * step) on one 256x256 image pair, with random weights made in memory (no file needed). Forward alone, and
 * forward plus the backward pass to the edited image.
 */
public final class ArcFaceBench {
    static final int IMAGE_SIZE = 256;

    private ArcFaceBench() {
    }

    public static void run(int warmup, int repeats, PrintWriter out) throws CheckpointException {
        run(IrSeConfig.irSe50(), warmup, repeats, out);
    }

    /** The same on another configuration (tests use a tiny one). */
    static void run(IrSeConfig cfg, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        Engine.init();
        try (PointerScope scope = new PointerScope();
             IdLoss loss = new IdLoss(Backbone.create(cfg, StateDict.ofTensors("random IR-SE", randomWeights(cfg, 0))))) {
            torch.manual_seed(1);
            Tensor y = torch.rand(1, 3, IMAGE_SIZE, IMAGE_SIZE).mul(new Scalar(2)).sub(new Scalar(1)); // [-1, 1]
            Tensor yHat = y.mul(new Scalar(0.7)).add(torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE).mul(new Scalar(0.1)));
            Timer.Stats f = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    loss.loss(yHat, y);
                }
            });
            out.println("arcface pass=forward " + f.format());
            out.flush();
            Timer.Stats b = Timer.measure(warmup, repeats, () -> {
                Tensor x = yHat.detach().clone();
                x.set_requires_grad(true);
                loss.loss(x, y).backward();
            });
            out.println("arcface pass=forward+backward " + b.format());
            out.flush();
        }
    }

    /**
     * Weights at the model's own keys and shapes, scaled so that activations stay finite through 24 units:
     * N(0, 1) / sqrt(fan_in) for conv and linear weights, |N(0, 1)| + 0.5 for BatchNorm running_var (a variance
     * must be positive), N(0, 1) for the rest. The key listing comes from a first build with
     * {@link StateDict#random}, which records what the model takes.
     */
    static Map<String, Tensor> randomWeights(IrSeConfig cfg, long seed) throws CheckpointException {
        StateDict listing = StateDict.random("IR-SE key listing", seed);
        Backbone.create(cfg, listing).close();
        torch.manual_seed(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : listing.keys()) {
            long[] shape = listing.shape(key);
            Tensor t = torch.randn(shape);
            if (key.endsWith(".running_var")) {
                t.abs_().add_(new Scalar(0.5));
            } else if (shape.length >= 2) {
                t.mul_(new Scalar(1.0 / Math.sqrt((double) t.numel() / shape[0])));
            }
            out.put(key, t);
        }
        return out;
    }
}
