package io.sluice.sink.deadletter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The lock that keeps a running pipeline and {@code sluice dead-letters} apart on one dead-letter file: an
 * exclusive operating-system lock on {@code <file>.lock}. A separate file, because a replay replaces the dead-letter
 * file itself by a rename, which a lock on it would not survive. The operating system drops the lock when its
 * process ends, however it ends, so a crash never leaves it held; the empty lock file stays behind, harmless.
 */
final class DeadLetterFileLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DeadLetterFileLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of a dead-letter file. */
    static Path of(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /**
     * Takes the lock, creating the file's directory when missing; empty when another process (or another user of
     * the file in this one) holds it.
     */
    static Optional<DeadLetterFileLock> tryAcquire(Path file) throws IOException {
        Path lockFile = of(file.toAbsolutePath());
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new DeadLetterFileLock(channel, lock));
        } catch (OverlappingFileLockException e) {
            channel.close();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case; nothing is left to do.
        }
    }
}
