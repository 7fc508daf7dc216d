package io.sluice.offsets.file;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.offsets.OffsetDocument;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Offsets of one pipeline in a small JSON file that operators can read ({@link OffsetDocument}, indented).
 * Every save writes a temporary file beside it, forces it to disk, renames it over the old one atomically and
 * forces the directory, so a crash leaves either the old or the new offsets, never a torn file.
 */
public final class FileOffsetStore implements OffsetStore {
    private final Path file;
    private final Clock clock;

    public FileOffsetStore(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public SourceOffsets load(PipelineId pipeline) throws OffsetStoreException {
        OffsetDocument document = read(pipeline);
        return document == null ? SourceOffsets.none() : document.offsets();
    }

    @Override
    public Optional<Instant> savedAt(PipelineId pipeline) throws OffsetStoreException {
        OffsetDocument document = read(pipeline);
        return document == null ? Optional.empty() : Optional.ofNullable(document.savedAt());
    }

    /** The file's document, or null when there is no file yet. */
    private OffsetDocument read(PipelineId pipeline) throws OffsetStoreException {
        OffsetDocument document;
        try {
            document = OffsetDocument.parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new OffsetStoreException("cannot read offsets file " + file + ": " + e.getMessage()
                    + ". If it is damaged, restore it or remove it to start over (which re-snapshots)", e);
        }
        if (!document.belongsTo(pipeline)) {
            throw new OffsetStoreException("offsets file " + file + " belongs to pipeline '" + document.pipeline()
                    + "', not '" + pipeline + "'; give each pipeline its own offsets file");
        }
        return document;
    }

    @Override
    public void save(PipelineId pipeline, SourceOffsets offsets) throws OffsetStoreException {
        byte[] content = OffsetDocument.of(pipeline, clock.instant(), offsets).toIndentedJson();
        Path dir = file.getParent();
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new OffsetStoreException("the file system of " + dir + " cannot rename atomically;"
                        + " put the offsets file on a local file system", e);
            }
            forceDirectory(dir);
        } catch (IOException e) {
            throw new OffsetStoreException("cannot save offsets of pipeline '" + pipeline + "' to " + describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Makes the rename itself durable; some file systems refuse to open a directory, which then cannot matter. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not supported here (e.g. some non-Linux file systems); the rename is as durable as it can be made.
        }
    }

    @Override
    public String describe() {
        return "file " + file;
    }

    @Override
    public void close() {
        // Nothing is held open between saves.
    }
}
