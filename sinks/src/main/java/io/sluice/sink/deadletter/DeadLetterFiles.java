package io.sluice.sink.deadletter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Durable file operations of the dead-letter file: forcing a directory, replacing a file atomically. */
final class DeadLetterFiles {
    private DeadLetterFiles() {
    }

    /** Makes a created or renamed entry of the file's directory durable. */
    static void forceDirectory(Path file) {
        try (FileChannel channel = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; there the entry is as durable as it can be made.
        }
    }

    /**
     * Replaces the file's content: writes a temporary file beside it, forces it to disk, renames it over the file
     * and forces the directory, so that a crash leaves the old content or the new, never a mix.
     */
    static void replace(Path file, byte[] content) throws IOException {
        Path target = file.toAbsolutePath();
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException("the file system of " + target.getParent() + " cannot rename atomically; put the"
                    + " dead-letter file on a local file system", e);
        }
        forceDirectory(target);
    }
}
