package io.sluice.sink.deadletter;

import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.codec.DeadLetterJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends dead letters to a local file, one {@link DeadLetterJson} object per line, and forces every write to disk
 * before it returns. The file is locked ({@link DeadLetterFileLock}) from {@link #open()} to {@link #close()}, so
 * that {@code sluice dead-letters replay}, which rewrites it, cannot run meanwhile.
 *
 * <p>A crash can leave a torn last line: a write that never returned, whose events were therefore never counted as
 * handled and are dead-lettered again after the restart. {@code open} cuts such a line off, and a failed write cuts
 * off what it wrote before the next one, so every complete line is a letter and appends never run into a torn one.
 */
public final class FileDeadLetterQueue implements DeadLetterQueue {
    private static final Logger LOG = LoggerFactory.getLogger(FileDeadLetterQueue.class);
    private static final byte NEWLINE = '\n';

    private final Path path;
    private final Clock clock;
    private final DeadLetterJson json = new DeadLetterJson();
    private final String where;
    private DeadLetterFileLock lock;
    private FileChannel channel;
    /** Length of the file's complete lines: where the next letter goes. */
    private long end;
    private boolean closed;

    public FileDeadLetterQueue(String pipeline, Path path, Clock clock) {
        this.path = Objects.requireNonNull(path, "path");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.where = "pipeline '" + Objects.requireNonNull(pipeline, "pipeline") + "', " + describe();
    }

    /**
     * Takes the lock, opens the file (creating it and its directory when missing) and cuts off a torn last line.
     *
     * @throws RetriableSinkException when another process holds the file (e.g. a replay), or it cannot be opened
     *                                for a reason that may pass
     * @throws SinkException          when it may not be written (permissions)
     */
    @Override
    public synchronized void open() throws SinkException {
        if (closed || channel != null) {
            throw new IllegalStateException(where + ": open() after " + (closed ? "close()" : "open()"));
        }
        try {
            Optional<DeadLetterFileLock> taken = DeadLetterFileLock.tryAcquire(path);
            if (taken.isEmpty()) {
                throw new RetriableSinkException(where + ": the file is in use by another process (a replay with"
                        + " sluice dead-letters, or another Sluice running this pipeline); lock "
                        + DeadLetterFileLock.of(path));
            }
            lock = taken.get();
            boolean created = !Files.exists(path);
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            end = completeLength(channel);
            if (end < channel.size()) {
                LOG.warn("{}: cut off a torn last line of {} bytes, left by a write that never completed (its event"
                        + " is dead-lettered again)", where, channel.size() - end);
                channel.truncate(end);
                channel.force(false);
            }
            if (created) {
                DeadLetterFiles.forceDirectory(path);
            }
        } catch (AccessDeniedException e) {
            release();
            throw new SinkException(where + ": permission denied: " + e.getMessage(), e);
        } catch (IOException e) {
            release();
            throw new RetriableSinkException(where + ": cannot open the file: " + e.getMessage(), e);
        } catch (SinkException e) {
            release();
            throw e;
        }
        LOG.info("{}: open, {} bytes of dead letters", where, end);
    }

    /**
     * Appends the letters and forces them to disk.
     *
     * @throws RetriableSinkException when the file cannot be written now (e.g. the disk is full); nothing of it
     *                                stays, and the dispatcher tries again
     * @throws SinkException          when a letter cannot be encoded
     */
    @Override
    public synchronized void write(List<DeadLetter> letters) throws SinkException {
        if (channel == null) {
            throw new IllegalStateException(where + ": write() before open() or after close()");
        }
        Instant now = clock.instant();
        ByteArrayOutputStream lines = new ByteArrayOutputStream(letters.size() * 1024);
        for (DeadLetter letter : letters) {
            try {
                lines.writeBytes(json.encode(letter, now));
            } catch (IllegalArgumentException e) {
                throw new SinkException(where + ": " + e.getMessage(), e);
            }
            lines.write(NEWLINE);
        }
        try {
            if (channel.size() != end) {
                channel.truncate(end); // what a failed write left
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines.toByteArray());
            long position = end;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
            end = position;
        } catch (IOException e) {
            throw new RetriableSinkException(where + ": cannot write to the file: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "dead-letter file " + path;
    }

    @Override
    public synchronized void close() {
        closed = true;
        release();
    }

    private void release() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Every write was forced already; nothing is lost by a failed close.
            }
            channel = null;
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** The length of the file up to and including its last line break. */
    private static long completeLength(FileChannel channel) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(8192);
        for (long to = channel.size(); to > 0; ) {
            long from = Math.max(0, to - block.capacity());
            block.clear().limit((int) (to - from));
            while (block.hasRemaining()) {
                if (channel.read(block, from + block.position()) < 0) {
                    break;
                }
            }
            for (int i = block.position() - 1; i >= 0; i--) {
                if (block.get(i) == NEWLINE) {
                    return from + i + 1;
                }
            }
            to = from;
        }
        return 0;
    }
}
