/**
 * A small multi-attribute image classifier ({@link dev.styleclip.train.classifier.AttributeClassifier}) and its
 * trainer ({@link dev.styleclip.train.classifier.ClassifierTrainer#train}, data through
 * {@link dev.styleclip.train.classifier.LabeledImageBatches}; label -1 = not applicable).
 */
package dev.styleclip.train.classifier;
