package dev.styleclip.stylegan2;

import static dev.styleclip.testing.Fixtures.assertClose;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every case of fixtures/stylegan2 (rosinality's generator in StyleCLIP, tiny_g32.pt), forwards and gradients. */
class GeneratorParityTest {
    static Generator g;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
    }

    private static String f(String name) {
        return "stylegan2/" + name;
    }

    @Test
    void configurationIsInferredFromTheWeights() {
        GeneratorConfig c = g.config();
        assertEquals(32, c.size());
        assertEquals(64, c.styleDim());
        assertEquals(4, c.nMlp());
        assertEquals(8, c.nLatent());
        assertEquals(7, c.numLayers());
        assertEquals(32, c.channels().get(32));
        assertEquals(11, g.styleLayout().size());
        assertTrue(g.latentAvgFromFile());
    }

    @Test
    void mapping() {
        assertClose("w", tensor(f("w_seeds.npy")), g.mapping(tensor(f("z_seeds.npy"))), 5e-5);
    }

    @Test
    void meanLatentOfGivenDraw() {
        Tensor w = g.mapping(tensor(f("mean_latent_z4096.npy")));
        Tensor mean = w.mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        assertClose("mean_latent", tensor(f("mean_latent.npy")), mean, 1e-5);
        assertClose("latent_avg", tensor(f("latent_avg.npy")).view(1, 64), g.latentAvg(), 0);
    }

    @Test
    void imageFromWWithTruncation() {
        Tensor wplus = g.toWPlus(g.truncate(tensor(f("w_seeds.npy")), 0.7));
        assertClose("latent", tensor(f("image_w_trunc07_latent.npy")), wplus, 5e-6);
        assertClose("image", tensor(f("image_w_trunc07.npy")), g.synthesize(wplus, NoiseMode.CONST), 5e-5);
    }

    @Test
    void imageFromWPlus() {
        assertClose("image", tensor(f("image_wplus.npy")), g.synthesize(tensor(f("wplus.npy")), NoiseMode.CONST), 1e-4);
    }

    @Test
    void imageFromZ() {
        Tensor wplus = g.toWPlus(g.mapping(tensor(f("z2.npy"))));
        assertClose("image", tensor(f("image_z.npy")), g.synthesize(wplus, NoiseMode.CONST), 1e-4);
    }

    @Test
    void imageFromZWithTruncation() {
        Tensor wplus = g.toWPlus(g.truncate(g.mapping(tensor(f("z_seeds.npy"))), 0.7));
        assertClose("latent", tensor(f("image_z_trunc07_latent.npy")), wplus, 2e-5);
        assertClose("image", tensor(f("image_z_trunc07.npy")), g.synthesize(wplus, NoiseMode.CONST), 1e-4);
    }

    @Test
    void styleMixing() {
        Tensor wplus = g.mix(g.mapping(tensor(f("z2.npy"))), g.mapping(tensor(f("z2b.npy"))), 3);
        assertClose("latent", tensor(f("image_z_mixing_latent.npy")), wplus, 5e-5);
        assertClose("image", tensor(f("image_z_mixing.npy")), g.synthesize(wplus, NoiseMode.CONST), 1e-4);
    }

    @Test
    void gradientWithRespectToWPlus() {
        Tensor wp = tensor(f("wplus.npy"));
        wp.set_requires_grad(true);
        Tensor loss = g.synthesize(wp, NoiseMode.CONST).mul(tensor(f("grad_R.npy"))).sum();
        loss.backward();
        assertClose("loss", tensor(f("grad_wplus_loss.npy")), loss.view(1), 1e-3);
        assertClose("grad", tensor(f("grad_wplus.npy")), wp.grad(), 5e-4);
    }

    @Test
    void styleSpaceCodesAndSynthesisFromS() {
        List<Tensor> s = g.styles(tensor(f("wplus1.npy")));
        for (int i = 0; i < s.size(); i++) {
            assertClose("S[" + i + "]", tensor(f(String.format("s_%02d.npy", i))), s.get(i), 1e-5);
        }
        assertClose("image_wplus1", tensor(f("image_wplus1.npy")), g.synthesize(tensor(f("wplus1.npy")), NoiseMode.CONST), 5e-5);
        assertClose("image_from_s", tensor(f("image_from_s.npy")), g.synthesizeFromStyles(goldenS(), NoiseMode.CONST), 5e-5);
    }

    @Test
    void shiftedStyleChannelsChangeTheImageAsTheReference() {
        List<Tensor> s0 = goldenS();
        s0.set(3, s0.get(3).clone());
        s0.get(3).select(2, 5).add_(new org.bytedeco.pytorch.Scalar(3.0));
        assertClose("shift0", tensor(f("image_from_s_shift0.npy")), g.synthesizeFromStyles(s0, NoiseMode.CONST), 5e-5);
        List<Tensor> s1 = goldenS();
        s1.set(4, s1.get(4).clone());
        s1.get(4).select(2, 2).add_(new org.bytedeco.pytorch.Scalar(-2.0));
        assertClose("shift1", tensor(f("image_from_s_shift1.npy")), g.synthesizeFromStyles(s1, NoiseMode.CONST), 5e-5);
    }

    @Test
    void gradientWithRespectToStyleSpace() {
        List<Tensor> s = goldenS();
        for (Tensor t : s) t.set_requires_grad(true);
        Tensor loss = g.synthesizeFromStyles(s, NoiseMode.CONST).mul(tensor(f("grad_R_s.npy"))).sum();
        loss.backward();
        assertClose("loss", tensor(f("grad_stylespace_loss.npy")), loss.view(1), 2e-3);
        for (int i = 0; i < s.size(); i++) {
            assertClose("dS[" + i + "]", tensor(f(String.format("grad_s_%02d.npy", i))), s.get(i).grad(), 5e-4);
        }
    }

    /** The fixture generator computing with {@code options}. */
    private static Generator loadWith(Generator.Options options) throws IOException {
        return Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"), options);
    }

    @Test
    void defaultOptionsAreTheReferenceConvOnChannelsLastMaps() {
        assertEquals(new Generator.Options(UpsampleConv.TRANSPOSED, MemoryFormat.CHANNELS_LAST), g.options());
        assertEquals(Generator.Options.DEFAULT, g.options());
    }

    @Test
    void polyphaseUpsamplingEqualsTheReferenceTransposedConv() throws IOException {
        Tensor wp = tensor(f("wplus.npy"));
        Tensor reference = g.synthesize(wp, NoiseMode.CONST);
        try (Generator polyphase = loadWith(Generator.Options.DEFAULT.withUpsampleConv(UpsampleConv.POLYPHASE))) {
            assertEquals(UpsampleConv.POLYPHASE, polyphase.options().upsampleConv());
            Tensor fast = polyphase.synthesize(wp, NoiseMode.CONST);
            assertClose("reference formulation vs golden", tensor(f("image_wplus.npy")), reference, 1e-4);
            assertClose("polyphase vs transposed", reference, fast, 2e-5);
        }
    }

    @Test
    void channelsLastEqualsThePlainLayoutWithGradients() throws IOException {
        Tensor wp = torch.cat(new TensorVector(tensor(f("wplus.npy")), tensor(f("wplus1.npy"))), 0);
        Tensor[] img = new Tensor[2];
        Tensor[] grad = new Tensor[2];
        try (Generator nchw = loadWith(Generator.Options.DEFAULT.withMemoryFormat(MemoryFormat.NCHW))) {
            Generator[] modes = {nchw, g};
            for (int i = 0; i < 2; i++) {
                Tensor w = wp.detach().clone();
                w.set_requires_grad(true);
                img[i] = modes[i].synthesize(w, NoiseMode.CONST);
                grad[i] = torch.grad(new TensorVector(img[i].square().sum()), new TensorVector(w)).get(0);
            }
        }
        assertTrue(img[0].is_contiguous() && img[1].is_contiguous(), "synthesis returns a contiguous NCHW image");
        assertClose("channels-last vs plain image", img[0], img[1], 2e-5);
        double scale = grad[0].abs().max().item_double();
        assertClose("channels-last vs plain W+ gradient (relative to its largest entry " + scale + ")", grad[0].div(new org.bytedeco.pytorch.Scalar(scale)),
                grad[1].div(new org.bytedeco.pytorch.Scalar(scale)), 1e-5);
    }

    @Test
    void batchedModulationEqualsTheGroupedConvWithGradients() {
        torch.manual_seed(4);
        Tensor blur = Ops.blurKernel(4);
        for (boolean up : new boolean[] {false, true}) {
            for (boolean demod : new boolean[] {false, true}) {
                Tensor x = torch.randn(3, 5, 6, 6);
                Tensor w = torch.randn(1, 16, 5, 3, 3);
                Tensor s = torch.randn(3, 1, 5, 1, 1);
                x.set_requires_grad(true);
                s.set_requires_grad(true);
                Tensor a = Ops.modulatedConv2dGrouped(x, w, s, demod, up, blur, UpsampleConv.TRANSPOSED);
                TensorVector gav = torch.grad(new TensorVector(a.square().sum()), new TensorVector(x, s));
                Tensor[] ga = {gav.get(0).clone(), gav.get(1).clone()};
                Tensor b = Ops.modulatedConv2dBatched(x, w, s, demod, up, up ? blur : null);
                TensorVector gbv = torch.grad(new TensorVector(b.square().sum()), new TensorVector(x, s));
                Tensor[] gb = {gbv.get(0).clone(), gbv.get(1).clone()};
                String c = " (upsample " + up + ", demodulate " + demod + ")";
                assertClose("forward" + c, a, b, 1e-5);
                assertRelativelyClose("input gradient" + c, ga[0], gb[0], 1e-5);
                assertRelativelyClose("style gradient" + c, ga[1], gb[1], 1e-5);
            }
        }
    }

    private static void assertRelativelyClose(String what, Tensor expected, Tensor actual, double rtol) {
        double scale = expected.abs().max().item_double();
        double diff = dev.styleclip.tensor.Tensors.maxAbsDiff(expected, actual);
        assertTrue(diff <= rtol * scale, what + ": max abs diff " + diff + " > " + rtol + " x largest entry " + scale);
    }

    @Test
    void aBatchThroughFewOutputChannelsGetsTheRightGradient() {
        // libtorch's batched 3x3 conv with < 16 output channels has a wrong input gradient; tensor.Conv avoids it
        torch.manual_seed(5);
        Tensor x = torch.randn(3, 5, 6, 6);
        Tensor w = torch.randn(1, 4, 5, 3, 3);
        Tensor s = torch.randn(3, 1, 5, 1, 1);
        x.set_requires_grad(true);
        Tensor y = Ops.modulatedConv2d(x, w, s, true, false, null, UpsampleConv.TRANSPOSED);
        Tensor g = torch.grad(new TensorVector(y.square().sum()), new TensorVector(x)).get(0).clone();
        Tensor xd = x.detach().to(torch.ScalarType.Double);
        xd.set_requires_grad(true);
        Tensor yd = Ops.modulatedConv2dGrouped(xd, w.to(torch.ScalarType.Double), s.to(torch.ScalarType.Double), true, false,
                null, UpsampleConv.TRANSPOSED);
        Tensor gd = torch.grad(new TensorVector(yd.square().sum()), new TensorVector(xd)).get(0).to(torch.ScalarType.Float);
        assertClose("input gradient vs float64", gd, g, 1e-3);
    }

    @Test
    void polyphaseMatchesTransposedOnABatchWithGradients() {
        torch.manual_seed(3);
        Tensor x = torch.randn(2, 5, 6, 7);
        Tensor w = torch.randn(1, 4, 5, 3, 3);
        Tensor s = torch.randn(2, 1, 5, 1, 1);
        Tensor blur = Ops.blurKernel(4);
        x.set_requires_grad(true);
        Tensor a = Ops.modulatedConv2d(x, w, s, true, true, blur, UpsampleConv.TRANSPOSED);
        Tensor ga = torch.grad(new TensorVector(a.square().sum()), new TensorVector(x)).get(0);
        Tensor b = Ops.modulatedConv2d(x, w, s, true, true, blur, UpsampleConv.POLYPHASE);
        Tensor gb = torch.grad(new TensorVector(b.square().sum()), new TensorVector(x)).get(0);
        assertClose("forward", a, b, 1e-5);
        assertClose("input gradient", ga, gb, 1e-4);
    }

    @Test
    void noiseModesDiffer() {
        Tensor wp = tensor(f("wplus1.npy"));
        Tensor c = g.synthesize(wp, NoiseMode.CONST);
        Tensor z = g.synthesize(wp, NoiseMode.ZERO);
        torch.manual_seed(5);
        Tensor r1 = g.synthesize(wp, NoiseMode.RANDOM);
        Tensor r2 = g.synthesize(wp, NoiseMode.RANDOM);
        assertTrue(dev.styleclip.tensor.Tensors.maxAbsDiff(c, z) > 1e-3);
        assertTrue(dev.styleclip.tensor.Tensors.maxAbsDiff(r1, r2) > 1e-3);
        assertClose("const is repeatable", c, g.synthesize(wp, NoiseMode.CONST), 0);
    }

    private static List<Tensor> goldenS() {
        List<Tensor> s = new ArrayList<>();
        for (int i = 0; i < 11; i++) s.add(tensor(f(String.format("s_%02d.npy", i))));
        return s;
    }
}
