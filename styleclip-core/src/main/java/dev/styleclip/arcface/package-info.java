/**
 * ArcFace IR-SE50 and StyleCLIP's identity loss (criteria/id_loss.py), on the weights of {@code model_ir_se50.pth}.
 *
 * <p>{@link dev.styleclip.arcface.IdLoss} is the entry point: image pair -> pooled, cropped 112x112 faces ->
 * {@link dev.styleclip.arcface.Backbone} embeddings -> {@code mean(1 - cos)}. {@link dev.styleclip.arcface.IrSeConfig}
 * is the architecture read from the weights (stem, units with their strides, embedding size);
 * {@link dev.styleclip.arcface.IrSeOps} holds the math; the unit and layer classes own parameters under the
 * reference's keys (models/facial_recognition/model_irse.py, helpers.py).
 */
package dev.styleclip.arcface;
