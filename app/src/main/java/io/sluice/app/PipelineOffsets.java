package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.SnapshotMode;
import io.sluice.engine.PipelineException;
import io.sluice.engine.debezium.DebeziumOffsets;
import io.sluice.engine.debezium.ReplicationSlot;
import io.sluice.engine.debezium.ReplicationSlotCheck;
import io.sluice.engine.debezium.ReplicationSlots;
import io.sluice.engine.debezium.StoredPosition;
import io.sluice.engine.debezium.UnusableSlotException;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What Sluice knows about one stopped pipeline's position: the offsets its store holds and the state of its
 * replication slot, read once for the {@code offsets} commands.
 *
 * @param config    the pipeline
 * @param store     where its offsets are kept ({@link OffsetStore#describe()})
 * @param offsets   everything the store holds for the pipeline
 * @param stored    Debezium's position in {@code offsets}, if any
 * @param savedAt   when the store saved the offsets, if it records that
 * @param slot      the slot's state; {@code null} when the source could not be asked
 * @param slotError why the slot's state is unknown; {@code null} when it is known
 */
record PipelineOffsets(PipelineConfig config, String store, SourceOffsets offsets, Optional<StoredPosition> stored,
        Optional<Instant> savedAt, ReplicationSlot slot, String slotError) {

    PipelineOffsets {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        if ((slot == null) == (slotError == null)) {
            throw new IllegalArgumentException("either the slot or why it is unknown");
        }
    }

    /**
     * Reads the stored offsets, then asks the source about the slot. An unreachable source is not an error here:
     * the slot's state is then unknown, and {@link #slotError()} says why.
     *
     * @throws OffsetStoreException when the offsets cannot be read; the message names the store
     */
    static PipelineOffsets read(PipelineConfig config) throws OffsetStoreException {
        PipelineId id = id(config);
        PostgresSourceConfig source = config.source().postgres();
        String store;
        SourceOffsets offsets;
        Optional<StoredPosition> stored;
        Optional<Instant> savedAt;
        try (OffsetStore opened = OffsetStores.open(config.offsets(), source)) {
            store = opened.describe();
            offsets = opened.load(id);
            try {
                stored = DebeziumOffsets.read(id, offsets);
            } catch (OffsetStoreException e) {
                throw new OffsetStoreException(store + ": " + e.getMessage(), e);
            }
            savedAt = stored.isPresent() ? opened.savedAt(id) : Optional.empty();
        }
        try {
            return new PipelineOffsets(config, store, offsets, stored, savedAt,
                    ReplicationSlots.inspect(config.name(), source), null);
        } catch (PipelineException e) {
            return new PipelineOffsets(config, store, offsets, stored, savedAt, null, e.getMessage());
        }
    }

    static PipelineId id(PipelineConfig config) {
        return new PipelineId(config.name());
    }

    String name() {
        return config.name();
    }

    PostgresSourceConfig source() {
        return config.source().postgres();
    }

    /** What keeps the pipeline from starting, as its start-up check would report it; empty if unknown or none. */
    Optional<UnusableSlotException> problem() {
        if (slot == null) {
            return Optional.empty();
        }
        return ReplicationSlotCheck.problem(id(config), source(), store, stored, slot);
    }

    /** What the next start does, in a few words. */
    String nextStart(String configFile) {
        Optional<UnusableSlotException> problem = problem();
        if (problem.isPresent()) {
            return "fails: " + problem.get().messageFor(configFile);
        }
        SnapshotMode mode = source().snapshot();
        String unknownSlot = slot == null ? " (if the slot is usable; its state is unknown)" : "";
        if (stored.isEmpty()) {
            String creates = slot != null && !slot.exists() ? "creates the slot, then " : "";
            return mode == SnapshotMode.NEVER
                    ? creates + "streams the changes made from then on, without a snapshot (snapshot: never)"
                            + unknownSlot
                    : creates + "snapshots the tables (snapshot: " + mode.yamlName() + ")" + unknownSlot;
        }
        StoredPosition position = stored.get();
        if (slot != null && !slot.exists()) {
            return "creates the slot and snapshots the tables again (snapshot: " + mode.yamlName()
                    + "), as the slot is missing";
        }
        if (position.snapshotInProgress()) {
            return "snapshots the tables again from the start: a snapshot was under way when the pipeline stopped"
                    + unknownSlot;
        }
        return "resumes streaming at " + Lsn.format(position.resumeLsn()) + unknownSlot;
    }
}
