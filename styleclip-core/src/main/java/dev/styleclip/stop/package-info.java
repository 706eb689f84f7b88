/** Stopping long work cleanly at a step boundary: {@link dev.styleclip.stop.Stop}. */
package dev.styleclip.stop;
