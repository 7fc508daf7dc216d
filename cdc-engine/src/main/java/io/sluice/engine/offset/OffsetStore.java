package io.sluice.engine.offset;

import java.time.Instant;
import java.util.Optional;

/**
 * Durable storage of a pipeline's source offsets.
 *
 * <p>The engine calls {@link #save} only with offsets whose events every sink has durably acknowledged, so what a
 * store holds is always safe to resume from. A save must be atomic: after a crash, {@link #load} returns either
 * the previous or the new offsets, never a mix or a torn write. Calls come from one thread at a time.
 */
public interface OffsetStore extends AutoCloseable {

    /** The offsets last saved for the pipeline, or {@link SourceOffsets#none()} if it never saved any. */
    SourceOffsets load(PipelineId pipeline) throws OffsetStoreException;

    /** Replaces the pipeline's offsets atomically and durably; returns only once they would survive a crash. */
    void save(PipelineId pipeline, SourceOffsets offsets) throws OffsetStoreException;

    /**
     * When the pipeline's offsets were last saved, for operators ({@code sluice offsets show}); the engine never
     * needs it. Empty when the store does not record the time or holds no offsets for the pipeline.
     */
    default Optional<Instant> savedAt(PipelineId pipeline) throws OffsetStoreException {
        return Optional.empty();
    }

    /** Where the offsets are kept, for messages (never with credentials). */
    String describe();

    @Override
    void close();
}
