package dev.styleclip.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Conv.conv2d (and the transposed conv the generator uses) against float64, forward and both gradients. */
class ConvTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** Leaves old NaNs on the heap, where a kernel that reads memory it never wrote will find them. */
    private static void dirtyHeap() {
        for (int j = 1; j <= 8; j++) torch.full(new long[] {(1L << 16) * j}, new Scalar(Float.NaN)).close();
    }

    private static double relErr(Tensor f32, Tensor f64) {
        double scale = f64.abs().max().item_double();
        return f32.to(ScalarType.Double).sub(f64).abs().max().item_double() / Math.max(scale, 1e-12);
    }

    private interface Op {
        Tensor apply(Tensor x, Tensor w);
    }

    private static List<String> scan(String name, Op op, int[] batches, int[] ins, int[] outs, int k, boolean transposed) {
        List<String> bad = new ArrayList<>();
        for (int n : batches) for (int ci : ins) for (int co : outs) {
            try (PointerScope scope = new PointerScope()) {
                torch.manual_seed(n * 1000 + ci * 10 + co);
                Tensor x64 = torch.randn(n, ci, 8, 8).to(ScalarType.Double);
                Tensor w64 = (transposed ? torch.randn(ci, co, k, k) : torch.randn(co, ci, k, k)).to(ScalarType.Double);
                Tensor[] g64 = grads(op, x64, w64);
                dirtyHeap();
                Tensor[] g32 = grads(op, x64.to(ScalarType.Float), w64.to(ScalarType.Float));
                String[] what = {"forward", "input gradient", "weight gradient"};
                for (int i = 0; i < 3; i++) {
                    double e = relErr(g32[i], g64[i]);
                    if (!(e < 1e-4)) bad.add(name + " " + what[i] + " n=" + n + " in=" + ci + " out=" + co + " k=" + k + " err=" + e);
                }
            }
        }
        return bad;
    }

    private static Tensor[] grads(Op op, Tensor x0, Tensor w0) {
        Tensor x = x0.detach().clone();
        Tensor w = w0.detach().clone();
        x.set_requires_grad(true);
        w.set_requires_grad(true);
        Tensor y = op.apply(x, w);
        TensorVector g = torch.grad(new TensorVector(y.square().sum()), new TensorVector(x, w));
        return new Tensor[] {y.detach(), g.get(0).clone(), g.get(1).clone()};
    }

    @Test
    void convolutionsAtAwkwardChannelCountsAreRightForwardAndBackward() {
        int[] batches = {1, 2, 3, 8};
        int[] ins = {3, 5, 16, 17, 24, 32, 33, 48};
        int[] outs = {3, 4, 8, 16, 17, 32};
        List<String> bad = new ArrayList<>();
        bad.addAll(scan("3x3", (x, w) -> Conv.conv2d(x, w, null, new long[] {1, 1}, new long[] {1, 1}, 1), batches, ins, outs, 3, false));
        bad.addAll(scan("3x3/2", (x, w) -> Conv.conv2d(x, w, null, new long[] {2, 2}, new long[] {0, 0}, 1), batches, ins, outs, 3, false));
        bad.addAll(scan("1x1", (x, w) -> Conv.conv2d(x, w, null, new long[] {1, 1}, new long[] {0, 0}, 1), batches, ins, outs, 1, false));
        bad.addAll(scan("patch 4x4/4", (x, w) -> Conv.conv2d(x, w, null, new long[] {4, 4}, new long[] {0, 0}, 1), batches, new int[] {3}, new int[] {16, 24}, 4, false));
        bad.addAll(scan("transposed 3x3/2", (x, w) -> Conv.convTranspose2d(x, w, new long[] {2, 2}), batches, ins, outs, 3, true));
        assertTrue(bad.isEmpty(), bad.size() + " wrong: " + String.join("; ", bad.subList(0, Math.min(12, bad.size()))));
    }

    @Test
    void biasIsAddedAsTorchDoes() {
        torch.manual_seed(1);
        Tensor x = torch.randn(2, 5, 6, 6), w = torch.randn(4, 5, 3, 3), b = torch.randn(4);
        Tensor expected = torch.conv2d(x.to(ScalarType.Double), w.to(ScalarType.Double), new TensorOptional(b.to(ScalarType.Double)),
                new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
        assertTrue(relErr(Conv.conv2d(x, w, b, new long[] {1, 1}, new long[] {1, 1}, 1), expected) < 1e-5);
    }
}
