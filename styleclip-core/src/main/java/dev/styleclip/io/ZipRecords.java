package dev.styleclip.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads one record of a zip archive ({@code torch.save}, TorchScript, {@code .npz}) whole and holds it to
 * the archive's central directory: its size and its CRC-32. ZipFile checks the CRC only of compressed
 * records read to their end; torch and {@code np.savez} store records uncompressed, so without this a
 * flipped byte inside a tensor would load as a wrong weight.
 */
final class ZipRecords {
    private ZipRecords() {
    }

    /** The record's bytes; a {@link CheckpointException} naming the file and the record if they do not check. */
    static byte[] read(ZipFile zip, Path file, ZipEntry entry) throws IOException {
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readAllBytes();
        }
        if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
            throw CheckpointException.damaged(file, "record " + entry.getName() + " holds " + bytes.length
                    + " bytes where the zip directory says " + entry.getSize());
        }
        if (entry.getCrc() >= 0 && crc32(bytes) != entry.getCrc()) {
            throw CheckpointException.damaged(file, "record " + entry.getName()
                    + " fails its CRC-32 check (the file was changed or cut short after it was written)");
        }
        return bytes;
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
