package dev.styleclip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that fails part-way leaves nothing it created, and says which file it could not write and why. */
class OutputFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteNamesItsFileAndTheRunLeavesNothingItCreated() throws Exception {
        Path out = dir.resolve("a/b/run");
        Path kept = Files.createDirectories(dir.resolve("a")).resolve("kept.txt");
        Files.writeString(kept, "from before");
        FileSystemException e;
        try (OutputFiles files = new OutputFiles()) {
            Path run = files.folder(out);
            AtomicFiles.write(files.claim(run.resolve("final.png")), new byte[] {1, 2, 3});
            AtomicFiles.write(files.claim(run.resolve("latent.npy")), new byte[] {4});
            // the disk fills up while the third file is written
            e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(files.claim(run.resolve("before_after.png")),
                    stream -> {
                        stream.write(new byte[10]);
                        throw new IOException("No space left on device");
                    }));
        }
        assertEquals(out.resolve("before_after.png").toString(), e.getFile());
        assertEquals(out.resolve("before_after.png") + ": No space left on device", OutputFiles.reason(e));
        assertFalse(Files.exists(dir.resolve("a/b")), "the folders the run created are gone");
        assertEquals("from before", Files.readString(kept), "what was there before stays");
    }

    @Test
    void aCommittedRunKeepsEverythingAndAnExistingFolderKeepsItsOtherFiles() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        try (OutputFiles files = new OutputFiles()) {
            AtomicFiles.write(files.claim(files.folder(out).resolve("final.png")), new byte[] {1});
            files.commit();
        }
        try (OutputFiles files = new OutputFiles()) {
            AtomicFiles.write(files.claim(out.resolve("other.png")), new byte[] {2});
            // not committed: only other.png goes
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(java.util.Set.of("notes.txt", "final.png"), s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void outputsThatCannotBeCreatedAreNamedBeforeAnythingIsWritten() throws Exception {
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        IOException under = assertThrows(IOException.class, () -> OutputFiles.checkFolder(file.resolve("sub/dir")));
        assertEquals(file + " is a file, so nothing can be created under it", OutputFiles.reason(under));
        IOException onFile = assertThrows(IOException.class, () -> OutputFiles.checkFolder(file));
        assertEquals(file + " exists and is not a folder", OutputFiles.reason(onFile));
        IOException folderAsFile = assertThrows(IOException.class, () -> OutputFiles.checkFile(dir));
        assertEquals(dir + " is a folder, not a file", OutputFiles.reason(folderAsFile));
        OutputFiles.checkFolder(dir.resolve("new/deeper"));
        assertFalse(Files.exists(dir.resolve("new")), "checking creates nothing");
        assertTrue(Files.exists(file));
    }
}
