package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reader that opens a user's file says what is wrong with the path itself: a directory, a missing file,
 * a dangling link, a file it may not open, each in one line naming it.
 */
class NotAFileTest {
    @TempDir
    Path tmp;

    /** What opens a user's file in io/. */
    @FunctionalInterface
    interface Reader {
        void read(Path file) throws IOException;
    }

    static Stream<Arguments> readers() {
        return Stream.of(
                Arguments.of("CheckpointReader.read", (Reader) CheckpointReader::read),
                Arguments.of("CheckpointReader.detect", (Reader) CheckpointReader::detect),
                Arguments.of("TensorFiles.readSingle", (Reader) TensorFiles::readSingle),
                Arguments.of("Npy.read", (Reader) Npy::read),
                Arguments.of("Npy.readNpz", (Reader) Npy::readNpz),
                Arguments.of("Safetensors.read", (Reader) Safetensors::read),
                Arguments.of("Hashes.sha256", (Reader) Hashes::sha256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void aDirectoryIsADirectoryNotAFile(String name, Reader reader) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("ffhq.pt"));
        assertEquals("ffhq.pt is a directory, not a file", assertThrows(CheckpointException.class, () -> reader.read(dir)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void aMissingFileIsNoSuchFile(String name, Reader reader) {
        Path missing = tmp.resolve("latent.npy");
        assertEquals("latent.npy: no such file", assertThrows(CheckpointException.class, () -> reader.read(missing)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void aLinkToAMissingFileSaysSo(String name, Reader reader) throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("model.pt"), tmp.resolve("gone.pt"));
        assertEquals("model.pt: a symbolic link to a missing file",
                assertThrows(CheckpointException.class, () -> reader.read(link)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void aFileThatMayNotBeOpenedSaysPermissionDenied(String name, Reader reader) throws IOException {
        Path locked = Files.write(tmp.resolve("locked.pt"), new byte[] {1, 2, 3});
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(locked), "this user reads any file (root): nothing to refuse");
        assertEquals("locked.pt: cannot be opened: permission denied",
                assertThrows(CheckpointException.class, () -> reader.read(locked)).getMessage());
    }
}
