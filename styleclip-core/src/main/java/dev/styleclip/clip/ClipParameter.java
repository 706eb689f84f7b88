package dev.styleclip.clip;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One parameter of a CLIP module as its forward pass reads it. The modules hold these and never know which kind they
 * hold: a loaded model's are {@link Fixed} tensors (convert_weights' fp16 round trip already applied, once, by
 * {@link ConvertWeights}); a trainable model's ({@link TrainableWeights}) are float32 master tensors that require
 * gradients, read either as they are ({@link Fixed}) or through the same round trip as a weight transform
 * ({@link RoundedToHalf}).
 */
sealed interface ClipParameter permits ClipParameter.Fixed, ClipParameter.RoundedToHalf {
    /** The tensor the forward pass uses. */
    Tensor value();

    /** {@code F.embedding(ids, value())}: the rows {@code ids} of the parameter, [*ids.shape, width]. */
    default Tensor rows(Tensor ids) {
        return torch.embedding(value(), ids);
    }

    /** A tensor read as it is: a loaded weight, or a master that the file keeps in float32. */
    record Fixed(Tensor tensor) implements ClipParameter {
        @Override
        public Tensor value() {
            return tensor;
        }
    }

    /**
     * A float32 master read through the fp16 round trip, straight-through: the value of round16(master), the
     * gradient of master ({@code p + (round16(p) - p).detach()}), so that the gradient reaches the master unchanged.
     */
    record RoundedToHalf(Tensor master) implements ClipParameter {
        @Override
        public Tensor value() {
            return round16(master);
        }

        /** Rounding commutes with gathering rows, and rounds only the rows gathered (a few of the 49408 tokens). */
        @Override
        public Tensor rows(Tensor ids) {
            return round16(torch.embedding(master, ids));
        }

        /** Straight-through fp16 round trip: the value of round16(x), the gradient of x. */
        static Tensor round16(Tensor x) {
            Tensor d = x.detach();
            return x.add(d.to(ScalarType.Half).to(ScalarType.Float).sub(d));
        }
    }
}
