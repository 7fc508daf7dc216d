package io.sluice.engine.debezium;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline's source position as Debezium stored it (see {@link DebeziumOffsets}), read into named fields for
 * operators. LSNs are plain numbers; {@code null} means Debezium did not store the field.
 *
 * @param key          the entry's key in the store, as Debezium wrote it
 * @param value        the entry's value, Debezium's offset JSON as stored
 * @param lsn          {@code lsn}: the position of the last event Debezium handed on (for a snapshot, where
 *                     streaming takes over)
 * @param processedLsn {@code lsn_proc}: the last position completely processed; streaming resumes here
 * @param commitLsn    {@code lsn_commit}: the end of the last transaction processed; what the slot is
 *                     confirmed to
 * @param txId         {@code txId}: the PostgreSQL transaction of the last event
 * @param sourceTime   {@code ts_usec}: when that transaction committed on the server (or the snapshot read)
 * @param snapshot     {@code snapshot}: the kind of snapshot under way ({@code INITIAL}, {@code BLOCKING},
 *                     {@code INCREMENTAL}), absent when none is
 * @param snapshotDone {@code snapshot_completed} or {@code last_snapshot_record}: the snapshot read its last row
 */
public record StoredPosition(
        String key,
        String value,
        Long lsn,
        Long processedLsn,
        Long commitLsn,
        Long txId,
        Instant sourceTime,
        String snapshot,
        boolean snapshotDone) {

    public StoredPosition {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (lsn == null && processedLsn == null) {
            throw new IllegalArgumentException("a stored position needs lsn or lsn_proc");
        }
    }

    /** Where Debezium starts streaming from on the next start ({@code lsn_proc}, else {@code lsn}). */
    public long resumeLsn() {
        return processedLsn != null ? processedLsn : lsn;
    }

    /**
     * Whether an initial or blocking snapshot was interrupted: Debezium then snapshots every table again from the
     * start on the next start. An incremental snapshot is recorded as completed here and resumes by itself.
     */
    public boolean snapshotInProgress() {
        return snapshot != null && !"false".equalsIgnoreCase(snapshot) && !snapshotDone;
    }
}
