package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled models are unpacked once into the user's cache and reused; a killed edit strands nothing in the temporary
 * folder, and nothing is ever cached into the bundled directions folder.
 */
class TemporaryFilesTest {
    @TempDir
    Path dir;

    @Test
    void aKilledEditLeavesNothingBehindAndTheCacheIsReused() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of("STYLECLIP_CACHE", cache.toString());
        List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
        String[] edit = {"edit", "--prompt", "purple hair", "--seed", "3", "--steps", "200", "--out", dir.resolve("out").toString()};
        ChildRun killed = new ChildRun(dir, env, jvm, edit);
        killed.await(() -> killed.lastStep() >= 1, 120_000);
        killed.signal("KILL");
        assertEquals(137, killed.exit(), String.join("\n", killed.err));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "files left in the temporary folder");
        }
        Path generator;
        try (Stream<Path> found = Files.walk(cache.resolve("bundled"))) {
            generator = found.filter(p -> p.getFileName().toString().equals("generator.pt")).findFirst().orElseThrow();
        }
        FileTime unpacked = Files.getLastModifiedTime(generator);

        ChildRun again = new ChildRun(dir, env, jvm, "edit", "--prompt", "purple hair", "--seed", "3", "--method", "global",
                "--out", dir.resolve("out").toString());
        assertEquals(0, again.exit(), String.join("\n", again.err));
        assertEquals(unpacked, Files.getLastModifiedTime(generator), "the unpacked generator was written again");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "files left in the temporary folder");
        }
        try (Stream<Path> directions = Files.list(generator.getParent().resolve("directions"))) {
            assertEquals(List.of("fs3.npy", "s_mean.npy", "s_std.npy"), directions.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only the bundled files: prompt embeddings go to the cache's own folder");
        }
        try (Stream<Path> embeddings = Files.list(cache.resolve("prompt-embeddings"))) {
            assertTrue(embeddings.count() >= 2, "the neutral and target embeddings are cached");
        }
    }
}
