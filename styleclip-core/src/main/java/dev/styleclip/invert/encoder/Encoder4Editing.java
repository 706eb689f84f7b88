package dev.styleclip.invert.encoder;

import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.arcface.IrSeOps;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.RawTensor;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The encoder network of e4e: {@code Encoder4Editing} in omertov/encoder4editing's models/encoders/psp_encoders.py
 * (Tov et al., "Designing an Encoder for StyleGAN Image Manipulation", 2021), at the size an {@link EncoderConfig}
 * gives, with the reference's state-dict keys as field paths:
 * <pre>
 *   input_layer = Conv2d(3, stem, 3, 1, 1, bias=False), BatchNorm2d(stem), PReLU(stem)
 *   body        = bottleneck_IR_SE units, four stages ({@link BottleneckIrSe}); c1, c2, c3 = the ends of stages 1, 2, 3
 *   latlayer1   = Conv2d(depth2, width, 1)    latlayer2 = Conv2d(depth1, width, 1)    (width = depth3)
 *   styles.i    = GradualStyleBlock(width, style_dim, side of its level)   ({@link GradualStyleBlock}), one per W+ row
 *   forward     = w0 = styles.0(c3); row 0 = w0, row i = w0 + styles.i(features_i) where the features are
 *                 c3 for rows below 3, p2 = upsample_add(c3, latlayer1(c2)) below 7, p1 = upsample_add(p2, latlayer2(c1)) after
 * </pre>
 * The output is the offset from the generator's mean latent: e4e's pSp adds {@code latent_avg} to it ({@link Encoder}
 * does). e4e's progressive training, which switches the deltas on one row at a time, is not reproduced: every row's
 * delta is always on (the reference's {@code ProgressiveStage.Inference}).
 *
 * <p>Weights are native tensors owned by this object; {@link #close()} frees them. They do not require gradients
 * unless a trainer asks ({@link #parameters()} are the live tensors).
 */
public final class Encoder4Editing implements AutoCloseable {
    /** PReLU's initial slope (torch.nn.PReLU's default). */
    static final double PRELU_INIT = 0.25;

    private final EncoderConfig config;
    private final Tensor stemConv; // [stem, 3, 3, 3]
    private final BatchNorm2d stemBn;
    private final Tensor stemPrelu; // [stem]
    private final List<BottleneckIrSe> body = new ArrayList<>();
    private final Tensor lat1Weight; // [width, depth2, 1, 1]
    private final Tensor lat1Bias; // [width]
    private final Tensor lat2Weight; // [width, depth1, 1, 1]
    private final Tensor lat2Bias; // [width]
    private final List<GradualStyleBlock> styles = new ArrayList<>();
    private final Weights weights;
    private final PointerScope owned;

    /**
     * Builds the network of {@code config} from {@code sd}, strictly: every key used, every shape checked, and a failure
     * lists the missing, mis-shaped and unexpected keys ({@code num_batches_tracked} may be present or not).
     */
    public Encoder4Editing(StateDict sd, EncoderConfig config) throws CheckpointException {
        Engine.init();
        this.config = config;
        this.owned = new PointerScope();
        try {
            weights = new Weights(sd);
            int stem = config.stemWidth(), width = config.pyramidWidth();
            stemConv = weights.parameter("input_layer.0.weight", stem, 3, 3, 3);
            stemBn = new BatchNorm2d(weights, "input_layer.1.", stem);
            stemPrelu = weights.parameter("input_layer.2.weight", stem);
            List<IrSeConfig.Unit> units = config.units();
            for (int i = 0; i < units.size(); i++) body.add(new BottleneckIrSe(weights, "body." + i + ".", units.get(i)));
            for (int i = 0; i < config.nLatent(); i++) {
                EncoderConfig.Level level = EncoderConfig.level(i);
                styles.add(new GradualStyleBlock(weights, "styles." + i + ".", width, config.styleDim(), config.side(level), config.headConvs(level)));
            }
            // Encoder4Editing registers latlayer1 and latlayer2 after the style heads
            lat1Weight = weights.parameter("latlayer1.weight", width, config.stages().get(2).depth(), 1, 1);
            lat1Bias = weights.parameter("latlayer1.bias", width);
            lat2Weight = weights.parameter("latlayer2.weight", width, config.stages().get(1).depth(), 1, 1);
            lat2Bias = weights.parameter("latlayer2.bias", width);
            sd.finish("e4e encoder (" + config + ")");
        } catch (CheckpointException | RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend(); // keep the scope open: it owns the weights until close()
        owned.close();
    }

    /**
     * A new network initialised as torch initialises the reference's modules, after {@code torch.manual_seed(seed)} and
     * in state-dict order: each Conv2d's weight and bias uniform in +-1 / sqrt(fan_in) (kaiming_uniform with a =
     * sqrt(5)), BatchNorm weight 1, bias 0, running mean 0, running variance 1, PReLU slopes 0.25, EqualLinear weight
     * N(0, 1) and bias 0.
     */
    public static Encoder4Editing initialize(EncoderConfig config, long seed) throws CheckpointException {
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            long[] fanIn = {1};
            return new Encoder4Editing(StateDict.generated("new encoder (seed " + seed + ")", (key, shape) -> initial(key, shape, fanIn)), config);
        }
    }

    /** The initial value of a key of this layout ({@link #initialize}); {@code fanIn} carries a conv's fan-in to its bias. */
    private static Tensor initial(String key, long[] shape, long[] fanIn) {
        if (key.endsWith("running_mean")) return torch.zeros(shape);
        if (key.endsWith("running_var")) return torch.ones(shape);
        boolean batchNorm = key.startsWith("input_layer.1.") || key.matches(".*\\.(res_layer\\.[04]|shortcut_layer\\.1)\\.(weight|bias)");
        if (batchNorm) return key.endsWith("weight") ? torch.ones(shape) : torch.zeros(shape);
        if (key.equals("input_layer.2.weight") || key.endsWith("res_layer.2.weight")) return torch.full(shape, new Scalar(PRELU_INIT));
        if (key.endsWith("linear.weight")) return torch.randn(shape); // EqualLinear: scaled by 1 / sqrt(in) when used
        if (key.endsWith("linear.bias")) return torch.zeros(shape);
        if (shape.length == 4) fanIn[0] = shape[1] * shape[2] * shape[3];
        double bound = 1.0 / Math.sqrt(fanIn[0]); // a conv's weight, or the bias that follows it
        return torch.rand(shape).mul(new Scalar(2 * bound)).sub(new Scalar(bound));
    }

    public EncoderConfig config() {
        return config;
    }

    /**
     * The W+ offsets from the mean latent: e4e's {@code Encoder4Editing.forward}.
     *
     * @param x     images [B, 3, input, input] in [-1, 1]
     * @param stats which statistics BatchNorm uses ({@link NormStatistics#BATCH} updates the running ones)
     * @return [B, n_latent, style_dim]
     */
    public Tensor forward(Tensor x, NormStatistics stats) {
        int in = config.inputSize();
        Tensors.checkShape("encoder input", x, -1, 3, in, in);
        Tensor h = IrSeOps.prelu(stemBn.forward(IrSeOps.conv2d(x, stemConv, 1, 1), stats), stemPrelu);
        int t1 = config.lastUnit(1), t2 = config.lastUnit(2), t3 = config.lastUnit(3);
        Tensor c1 = null, c2 = null, c3 = null;
        for (int i = 0; i < body.size(); i++) {
            h = body.get(i).forward(h, stats);
            if (i == t1) c1 = h; // [B, depth1, in / 4, in / 4]
            else if (i == t2) c2 = h; // [B, depth2, in / 8, in / 8]
            else if (i == t3) c3 = h; // [B, width, in / 16, in / 16]
        }
        Tensor w0 = styles.get(0).forward(c3); // [B, D]
        TensorVector rows = new TensorVector();
        rows.push_back(w0);
        Tensor features = c3, p2 = null;
        for (int i = 1; i < config.nLatent(); i++) {
            if (i == EncoderConfig.COARSE_END) {
                p2 = EncoderOps.upsampleAdd(c3, EncoderOps.conv2d(c2, lat1Weight, lat1Bias, 1)); // FPN's medium features
                features = p2;
            } else if (i == EncoderConfig.MEDIUM_END) {
                features = EncoderOps.upsampleAdd(p2, EncoderOps.conv2d(c1, lat2Weight, lat2Bias, 1)); // FPN's fine features
            }
            rows.push_back(w0.add(styles.get(i).forward(features)));
        }
        return torch.stack(rows, 1); // [B, n_latent, D]
    }

    /** The trainable parameters in state-dict order: the live tensors, which an optimizer updates in place. */
    public Map<String, Tensor> parameters() {
        return weights.parameters();
    }

    /** Number of trainable parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : weights.parameters().values()) n += t.numel();
        return n;
    }

    /** A copy of every parameter and buffer as {@code Encoder4Editing.state_dict()} orders them, for writing. */
    public Map<String, RawTensor> stateDict() {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            weights.all().forEach((k, t) -> out.put(k, Tensors.toRaw(t)));
        }
        return out;
    }

    /** Overwrites every parameter and buffer with the tensor of the same key (resuming a run); the keys must match. */
    public void load(Map<String, Tensor> values) {
        Map<String, Tensor> mine = weights.all();
        if (!values.keySet().equals(mine.keySet())) {
            List<String> missing = new ArrayList<>(mine.keySet());
            missing.removeAll(values.keySet());
            List<String> unexpected = new ArrayList<>(values.keySet());
            unexpected.removeAll(mine.keySet());
            throw new IllegalArgumentException("encoder weights differ: missing " + missing + ", unexpected " + unexpected);
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            mine.forEach((k, p) -> {
                Tensors.checkShape(k, values.get(k), p.shape());
                p.copy_(values.get(k));
            });
        }
    }

    @Override
    public void close() {
        owned.deallocate();
    }
}
