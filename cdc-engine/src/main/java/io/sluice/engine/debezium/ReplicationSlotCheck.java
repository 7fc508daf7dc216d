package io.sluice.engine.debezium;

import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.SnapshotMode;
import io.sluice.engine.PipelineException;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks before start-up that the pipeline's replication slot can give it what its stored offsets expect. Without
 * this, Debezium would quietly create a new slot at the current position when the old one was dropped (skipping
 * every change in between), or fail deep inside with an invalidated slot.
 *
 * <ul>
 *   <li>No offsets and no slot: a first start; Debezium creates the slot and snapshots.</li>
 *   <li>Offsets but no slot: the slot was dropped and the changes since the offset are gone (unless the snapshot
 *       mode makes Debezium snapshot again by itself, see {@link #recreatesMissingSlotBySnapshot}).</li>
 *   <li>An invalidated slot ({@code wal_status = 'lost'}): PostgreSQL removed WAL the slot still needed.</li>
 *   <li>A slot of another database, another plugin or a physical slot: not one Sluice can read.</li>
 * </ul>
 */
public final class ReplicationSlotCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSlotCheck.class);

    private ReplicationSlotCheck() {
    }

    /**
     * @throws UnusableSlotException when the slot cannot serve the pipeline; the message says how to recover
     * @throws PipelineException     when the offsets or the slot cannot be read
     */
    public static void check(PipelineId pipeline, PostgresSourceConfig source, OffsetStoreConfig offsets)
            throws PipelineException {
        Optional<StoredPosition> stored;
        String store;
        try (OffsetStore opened = OffsetStores.open(offsets, source)) {
            store = opened.describe();
            stored = DebeziumOffsets.read(pipeline, opened.load(pipeline));
        } catch (OffsetStoreException e) {
            throw new PipelineException("pipeline '" + pipeline + "': cannot read its offsets: " + e.getMessage(), e);
        }
        ReplicationSlot slot = ReplicationSlots.inspect(pipeline.name(), source);
        if (!slot.exists() && stored.isPresent() && source.snapshot() == SnapshotMode.WHEN_NEEDED) {
            LOG.warn("pipeline '{}': replication slot '{}' on PostgreSQL at {} does not exist although offsets are"
                    + " stored; with snapshot: when-needed the tables are snapshotted again to fill the gap",
                    pipeline, slot.name(), source.address());
        }
        Optional<UnusableSlotException> problem = problem(pipeline, source, store, stored, slot);
        if (problem.isPresent()) {
            throw problem.get();
        }
    }

    /**
     * What stops the pipeline from starting with these offsets and this slot, if anything.
     *
     * @param store where the offsets are kept, as {@link OffsetStore#describe()} says
     */
    public static Optional<UnusableSlotException> problem(PipelineId pipeline, PostgresSourceConfig source,
            String store, Optional<StoredPosition> stored, ReplicationSlot slot) {
        String name = pipeline.name();
        String subject = "pipeline '" + name + "': replication slot '" + slot.name() + "' on PostgreSQL at "
                + source.address();
        String dropSql = dropStatement(slot.name(), source);
        String snapshotAgain = source.snapshot() == SnapshotMode.NEVER
                ? "Then start the pipeline; it creates a new slot. It is configured with snapshot: never, so it reads"
                        + " nothing again: set source.postgres.snapshot: initial before starting to copy the tables"
                        + " again."
                : "Then start the pipeline: it creates a new slot and snapshots the tables again.";
        if (!slot.exists()) {
            if (stored.isEmpty() || recreatesMissingSlotBySnapshot(source.snapshot())) {
                return Optional.empty();
            }
            return Optional.of(new UnusableSlotException(name, subject, "does not exist, but the pipeline has"
                    + " stored offsets in " + store + " (resume at " + lsn(stored.get().resumeLsn()) + ")."
                    + " The slot was dropped, so the changes made since " + lsn(stored.get().resumeLsn())
                    + " are lost to Sluice: no slot holds them any more.", null, true, snapshotAgain));
        }
        if (!"logical".equals(slot.slotType())) {
            return Optional.of(new UnusableSlotException(name, subject, "is a " + slot.slotType()
                    + " slot; Sluice needs a logical slot of its own. Set source.postgres.slot to another name.",
                    null, false, null));
        }
        if (!source.database().equals(slot.database())) {
            return Optional.of(new UnusableSlotException(name, subject, "belongs to database '" + slot.database()
                    + "', not '" + source.database() + "' (a logical slot decodes one database). Set"
                    + " source.postgres.slot to a name of this pipeline's own, or drop that slot if nothing uses it"
                    + " (SELECT pg_drop_replication_slot('" + slot.name().replace("'", "''") + "') on database '"
                    + slot.database() + "').", null, false, null));
        }
        if (!ReplicationSlot.PLUGIN.equals(slot.plugin())) {
            return Optional.of(new UnusableSlotException(name, subject, "uses the output plugin '"
                    + slot.plugin() + "', but Sluice reads with '" + ReplicationSlot.PLUGIN + "'. Set"
                    + " source.postgres.slot to a name of this pipeline's own, or drop that slot if nothing uses it ("
                    + dropSql + ").", null, false, null));
        }
        if (slot.isInvalidated()) {
            String why = "wal_status '" + slot.walStatus() + "'"
                    + (slot.invalidationReason() == null ? "" : ", invalidation_reason '" + slot.invalidationReason()
                            + "'");
            String lost = stored.map(s -> " The changes made since " + lsn(s.resumeLsn())
                    + " (the stored offset) are lost to Sluice.").orElse("");
            return Optional.of(new UnusableSlotException(name, subject, "was invalidated (" + why + "):"
                    + " PostgreSQL removed WAL the slot still needed, usually because the slot retained more than"
                    + " max_slot_wal_keep_size while the pipeline was stopped or behind. It cannot stream any more."
                    + lost, dropSql, stored.isPresent(), snapshotAgain));
        }
        return Optional.empty();
    }

    /** The statement that drops the slot, with a comment saying on which server and database to run it. */
    public static String dropStatement(String slot, PostgresSourceConfig source) {
        return "SELECT pg_drop_replication_slot('" + slot.replace("'", "''") + "');  -- on " + source.address();
    }

    /**
     * Whether Debezium, seeing stored offsets but no slot, snapshots by itself rather than skipping the gap:
     * {@code when-needed} snapshots when the stored position is no longer available, and {@code initial-only} never
     * streams, so it needs no slot.
     */
    public static boolean recreatesMissingSlotBySnapshot(SnapshotMode mode) {
        return mode == SnapshotMode.WHEN_NEEDED || mode == SnapshotMode.INITIAL_ONLY;
    }

    private static String lsn(long lsn) {
        return Lsn.format(lsn);
    }
}
