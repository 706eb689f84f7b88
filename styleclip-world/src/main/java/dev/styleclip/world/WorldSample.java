package dev.styleclip.world;

/** One portrait of the world: the seed it came from, its attributes and its nuisance parameters. */
public record WorldSample(long seed, WorldAttributes attributes, Nuisance nuisance) {
}
