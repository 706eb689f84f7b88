package dev.styleclip.edit.mapper;

import dev.styleclip.optim.OptimizerName;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A resumable training state as {@link MapperTrainer} writes it ({@code checkpoints/train_state.pt}, a torch.save
 * zip): {'format', 'version', 'next_step', 'best_val_loss', 'optimizer': {'name', 'state'}, 'mapper': state dict,
 * 'opts'}. The reference saves no optimizer state, so its runs cannot be resumed exactly; this file adds that.
 *
 * @param options        the run's options
 * @param nextStep       global step of the next update
 * @param bestValLoss    lowest validation loss so far, or null
 * @param optimizer      which optimizer the state belongs to
 * @param optimizerState per-parameter state as read ({'step', buffers as TensorRef})
 * @param mapper         the mapper's weights (LevelsMapper keys)
 */
public record TrainState(MapperOptions options, long nextStep, Double bestValLoss, OptimizerName optimizer,
                         Map<?, ?> optimizerState, Map<String, TensorRef> mapper) {

    public static TrainState read(Path file) throws IOException {
        Map<?, ?> root = CheckpointReader.read(file).rootMap();
        if (!MapperTrainer.STATE_FORMAT.equals(root.get("format"))) {
            throw new CheckpointException(file, "not a mapper training state written by this tool (no format '"
                    + MapperTrainer.STATE_FORMAT + "'); a mapper checkpoint cannot resume a run exactly: it has no optimizer state");
        }
        if (!(root.get("version") instanceof Number v) || v.intValue() != 1) {
            throw new CheckpointException(file, "unsupported training state version " + root.get("version"));
        }
        Map<?, ?> opt = (Map<?, ?>) root.get("optimizer");
        Object best = root.get("best_val_loss");
        return new TrainState(MapperOptions.fromOpts((Map<?, ?>) root.get("opts")), ((Number) root.get("next_step")).longValue(),
                best == null ? null : ((Number) best).doubleValue(), OptimizerName.parse(String.valueOf(opt.get("name"))),
                (Map<?, ?>) opt.get("state"), Checkpoint.tensors(root.get("mapper")));
    }
}
