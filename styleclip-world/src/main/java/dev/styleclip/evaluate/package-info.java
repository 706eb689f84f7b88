/**
 * The evaluation of text edits on the procedural world ({@code styleclip world eval}): {@link
 * dev.styleclip.evaluate.WorldEval} edits portraits whose attributes the world prior fixes and has the attribute
 * classifier, which never guides an edit, judge success and preservation; {@link dev.styleclip.evaluate.WorldEvalRun}
 * runs a whole evaluation and {@link dev.styleclip.evaluate.WorldEvalReport} writes its tables. {@link
 * dev.styleclip.evaluate.InversionEvalRun} ({@code styleclip world invert-eval}) measures inversion on held-out renders
 * ({@link dev.styleclip.evaluate.InversionEval}) and edits of the inverted latents, written by {@link
 * dev.styleclip.evaluate.InversionEvalReport}.
 */
package dev.styleclip.evaluate;
