package dev.styleclip.edit.mapper;

import org.bytedeco.pytorch.Tensor;

/**
 * A loss between the edited and the original images, injected into {@link MapperTrainer}: the coach's identity
 * loss {@code IDLoss(x_hat, x)} (ArcFace IR-SE50, criteria/id_loss.py) in practice.
 */
@FunctionalInterface
public interface ImageLoss {
    /**
     * @param yHat edited images [B, 3, S, S], differentiable
     * @param y    original images [B, 3, S, S], a constant target
     * @return the loss, a one-element tensor (the mean over the batch)
     */
    Tensor forward(Tensor yHat, Tensor y);
}
