package dev.styleclip.arcface;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of an IR-SE backbone, read from its weights (never from a side file): the stem width from
 * {@code input_layer.0.weight}, one {@link Unit} per {@code body.<i>} from its first conv, the embedding size
 * from {@code output_layer.3.weight}. Mirrors what {@code Backbone.__init__} in StyleCLIP's
 * models/facial_recognition/model_irse.py builds from {@code get_blocks(num_layers)} (helpers.py).
 *
 * <p><b>Strides.</b> The weights do not store strides, so they are inferred from the stage structure of
 * helpers.py {@code get_block}: a stage is {@code [Bottleneck(in, depth, 2)] + [Bottleneck(depth, depth, 1)] * (n - 1)},
 * so a unit has stride 2 exactly when it starts a stage. Units chain (each unit's input width is the previous
 * unit's depth), so a stage start can only be seen in a unit whose own input and output widths differ, which is
 * also the unit that has a conv shortcut (the reference builds one exactly when {@code in != depth}). Unit 0
 * starts stage 0 whatever its widths. Hence: <em>stride 2 iff unit 0 or in != depth</em>. This holds for IR-SE50
 * (units 0, 3, 7, 21) and the tiny fixture (0: 32->32 s2, 1: 32->48 s2, 2: 48->48 s1, 3: 48->64 s2, 4: 64->96 s2).
 * A later stage that starts without a width change cannot be told from weights; {@code get_blocks} never builds
 * one, and {@link #infer} would notice it because the output layer then sees the wrong spatial size: exactly
 * four stride-2 units take the 112 px input to the 7x7 map that {@code Linear(C * 7 * 7, emb)} expects.
 *
 * @param stemWidth     channels of the input layer (64 for IR-SE50)
 * @param units         the bottleneck_IR_SE units of {@code body}, in order
 * @param embeddingSize the output dimension (512 for IR-SE50)
 */
public record IrSeConfig(int stemWidth, List<Unit> units, int embeddingSize) {
    /** The only input size StyleCLIP's IDLoss builds ({@code Backbone(input_size=112, ...)}). */
    public static final int INPUT_SIZE = 112;
    /** Side of the last feature map for a 112 px input (the {@code 7 * 7} of the output Linear). */
    public static final int OUTPUT_SIDE = 7;
    /** SEModule(channels, reduction=16) in every bottleneck_IR_SE. */
    public static final int SE_REDUCTION = 16;

    /**
     * One {@code bottleneck_IR_SE(in_channel, depth, stride)}.
     *
     * @param inChannels input width (the previous unit's depth, or the stem width)
     * @param depth      output width
     * @param stride     1, or 2 for the first unit of a stage
     */
    public record Unit(int inChannels, int depth, int stride) {
        /** The reference's shortcut is MaxPool2d(1, stride) when in == depth, else a 1x1 conv + BatchNorm2d. */
        public boolean convShortcut() {
            return inChannels != depth;
        }

        @Override
        public String toString() {
            return inChannels + "->" + depth + (stride == 2 ? "/2" : "");
        }
    }

    public IrSeConfig {
        units = List.copyOf(units);
    }

    /** Channels of the last unit, which the output layer's BatchNorm2d and Linear see. */
    public int outChannels() {
        return units.get(units.size() - 1).depth();
    }

    /**
     * IR-SE50 as StyleCLIP's IDLoss builds it: {@code get_blocks(50)} = stages (64, 64, 3), (64, 128, 4),
     * (128, 256, 14), (256, 512, 3), stem 64, embedding 512.
     */
    public static IrSeConfig irSe50() {
        int[][] stages = {{64, 64, 3}, {64, 128, 4}, {128, 256, 14}, {256, 512, 3}};
        List<Unit> units = new ArrayList<>();
        for (int[] s : stages) {
            units.add(new Unit(s[0], s[1], 2));
            for (int i = 1; i < s[2]; i++) units.add(new Unit(s[1], s[1], 1));
        }
        return new IrSeConfig(64, units, 512);
    }

    /** Infers the configuration from a state dict in the reference's key layout (see the class comment). */
    public static IrSeConfig infer(StateDict sd, String source) throws CheckpointException {
        long[] stem = sd.shape("input_layer.0.weight");
        long[] linear = sd.shape("output_layer.3.weight");
        if (stem == null || linear == null || linear.length != 2 || !sd.contains("body.0.res_layer.1.weight")) {
            throw new CheckpointException(source + ": not an IR-SE (ArcFace) backbone state dict"
                    + " (no input_layer.0.weight / body.0.res_layer.1.weight / output_layer.3.weight)");
        }
        List<Unit> units = new ArrayList<>();
        for (int i = 0; sd.contains("body." + i + ".res_layer.1.weight"); i++) {
            long[] w = sd.shape("body." + i + ".res_layer.1.weight"); // [depth, in, 3, 3]
            int in = (int) w[1], depth = (int) w[0];
            boolean conv = sd.contains("body." + i + ".shortcut_layer.0.weight");
            if (conv != (in != depth)) {
                throw new CheckpointException(source + ": body." + i + " (" + in + "->" + depth + ") "
                        + (conv ? "has" : "lacks") + " a conv shortcut; the reference builds one exactly when in != depth");
            }
            units.add(new Unit(in, depth, i == 0 || in != depth ? 2 : 1));
        }
        IrSeConfig cfg = new IrSeConfig((int) stem[0], units, (int) linear[0]);
        long strided = units.stream().filter(u -> u.stride() == 2).count();
        if (INPUT_SIZE >> strided != OUTPUT_SIDE) {
            throw new CheckpointException(source + ": " + strided + " stage starts found (" + cfg
                    + "), but a 112 px input needs 4 stride-2 units to reach the 7x7 map of output_layer.3");
        }
        return cfg;
    }

    @Override
    public String toString() {
        return "stem=" + stemWidth + " units=" + units.size() + " ["
                + units.stream().map(Unit::toString).collect(Collectors.joining(", ")) + "] embedding=" + embeddingSize;
    }
}
