package dev.styleclip.arcface;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The ArcFace IR-SE face recognition network StyleCLIP's ID loss uses: mirrors {@code Backbone(input_size=112,
 * num_layers=50, drop_ratio=0.6, mode='ir_se')} in StyleCLIP's models/facial_recognition/model_irse.py, in eval
 * mode (what criteria/id_loss.py runs), with its state-dict keys as field paths:
 * <pre>
 *   input_layer  = Conv2d(3, stem, 3, 1, 1, bias=False), BatchNorm2d(stem), PReLU(stem)
 *   body         = bottleneck_IR_SE units ({@link BottleneckIrSe})
 *   output_layer = BatchNorm2d(C), Dropout (identity in eval), Flatten (NCHW), Linear(C * 7 * 7, emb), BatchNorm1d(emb)
 *   forward      = l2_norm(output_layer(body(input_layer(x))))
 * </pre>
 * The configuration is inferred from the weights ({@link IrSeConfig#infer}). Weights are native tensors owned by
 * this object; {@link #close()} frees them. Parameters never require gradients; gradients flow to the input.
 */
public final class Backbone implements AutoCloseable {
    private final IrSeConfig config;
    private final Tensor stemConv; // [stem, 3, 3, 3]
    private final BatchNorm stemBn;
    private final Tensor stemPrelu; // [stem]
    private final List<BottleneckIrSe> body = new ArrayList<>();
    private final BatchNorm outBn2d;
    private final Tensor linearWeight; // [emb, C * 7 * 7]
    private final Tensor linearBias; // [emb]
    private final BatchNorm outBn1d;
    private final PointerScope weights;

    private Backbone(StateDict sd, IrSeConfig cfg) throws CheckpointException {
        this.weights = new PointerScope();
        try {
            this.config = cfg;
            int stem = cfg.stemWidth(), c = cfg.outChannels(), side = IrSeConfig.OUTPUT_SIDE;
            stemConv = sd.take("input_layer.0.weight", stem, 3, 3, 3);
            stemBn = new BatchNorm(sd, "input_layer.1.", stem);
            stemPrelu = sd.take("input_layer.2.weight", stem);
            for (int i = 0; i < cfg.units().size(); i++) {
                body.add(new BottleneckIrSe(sd, "body." + i + ".", cfg.units().get(i)));
            }
            outBn2d = new BatchNorm(sd, "output_layer.0.", c);
            linearWeight = sd.take("output_layer.3.weight", cfg.embeddingSize(), (long) c * side * side);
            linearBias = sd.take("output_layer.3.bias", cfg.embeddingSize());
            outBn1d = new BatchNorm(sd, "output_layer.4.", cfg.embeddingSize());
            sd.finish("IR-SE backbone (" + cfg + ")");
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
        weights.extend(); // keep the scope open: it owns the weights until close()
        weights.close();
    }

    /** Builds a backbone from reference-layout weights, inferring the configuration from them. */
    public static Backbone fromStateDict(StateDict sd, String source) throws CheckpointException {
        Engine.init();
        return new Backbone(sd, IrSeConfig.infer(sd, source));
    }

    /** A backbone of a given configuration with the weights {@code sd} provides (e.g. {@link StateDict#random}). */
    public static Backbone create(IrSeConfig cfg, StateDict sd) throws CheckpointException {
        Engine.init();
        return new Backbone(sd, cfg);
    }

    /**
     * Loads a state dict saved by {@code torch.save(net.state_dict())}, in the zip or the legacy format
     * ({@code model_ir_se50.pth} is legacy). Loading is strict: every key used, every shape checked.
     */
    public static Backbone load(Path file) throws IOException {
        Engine.init();
        Checkpoint ckpt = CheckpointReader.read(file);
        Map<String, TensorRef> tensors = Checkpoint.tensors(ckpt.rootMap());
        String source = file.getFileName().toString();
        return fromStateDict(StateDict.of(source, tensors), source);
    }

    public IrSeConfig config() {
        return config;
    }

    /** The embedding: x [N, 3, 112, 112] (faces, [-1, 1]) -> [N, emb], each row of unit L2 norm. */
    public Tensor forward(Tensor x) {
        return IrSeOps.l2Norm(preNorm(x));
    }

    /** output_layer(body(input_layer(x))), the features before l2_norm: [N, 3, 112, 112] -> [N, emb]. */
    public Tensor preNorm(Tensor x) {
        int size = IrSeConfig.INPUT_SIZE;
        Tensors.checkShape("face input", x, -1, 3, size, size);
        Tensor h = IrSeOps.prelu(stemBn.forward(IrSeOps.conv2d(x, stemConv, 1, 1)), stemPrelu);
        for (BottleneckIrSe unit : body) h = unit.forward(h);
        h = outBn2d.forward(h); // [N, C, 7, 7]; Dropout(0.6) is the identity in eval
        h = h.reshape(h.size(0), -1); // helpers.py Flatten: [N, C * 7 * 7] in NCHW order
        h = torch.linear(h, linearWeight, new TensorOptional(linearBias)); // [N, emb]
        return outBn1d.forward(h);
    }

    @Override
    public void close() {
        weights.deallocate();
    }
}
