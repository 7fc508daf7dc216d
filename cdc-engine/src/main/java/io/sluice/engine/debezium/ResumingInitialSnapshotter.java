package io.sluice.engine.debezium;

import io.debezium.snapshot.mode.InitialSnapshotter;

/**
 * Debezium's {@code initial} snapshot mode, except that a snapshot taken on a slot that already exists is followed
 * by streaming from the slot's confirmed position rather than from the snapshot's.
 *
 * <p>That case arises when a first snapshot was interrupted (a crash before it completed) or the stored offsets were
 * reset to snapshot again. Debezium would take the new snapshot at the current WAL position and stream from there,
 * so no transaction committed between the slot's position and the new snapshot would ever be streamed: a row the
 * interrupted snapshot had already delivered and that was deleted meanwhile would stay in every sink, and Kafka
 * would miss those changes. Streaming from the slot's position replays them instead; they are older than the new
 * snapshot's reads, so sinks keep the newer snapshot value for rows that still exist and apply the deletes of rows
 * that do not (docs/adr/0001-commit-ordered-version.md).
 *
 * <p>Debezium asks {@link #shouldStreamEventsStartingFromSnapshot()} in two places with two meanings: its change
 * event source coordinator asks whether to add a catch-up streaming phase before the snapshot (which Sluice does not
 * need, and which waits for new WAL before it ends), and the snapshot source asks, while taking the snapshot, where
 * streaming starts after it. So the answer is {@code false} only to the snapshot source, and only once this start
 * decided to snapshot ({@link #shouldSnapshotData} is also asked earlier, when a stored offset shows an interrupted
 * snapshot, so that alone cannot tell). Found by Debezium through {@code META-INF/services}; selected as
 * {@code snapshot.mode=custom}, {@code snapshot.mode.custom.name=}{@value #NAME}.
 */
public final class ResumingInitialSnapshotter extends InitialSnapshotter {
    static final String NAME = "sluice_initial";
    private static final String SNAPSHOT_SOURCE = "io.debezium.connector.postgresql.PostgresSnapshotChangeEventSource";

    private volatile boolean snapshotting;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean shouldSnapshotData(boolean offsetExists, boolean snapshotInProgress) {
        boolean snapshot = super.shouldSnapshotData(offsetExists, snapshotInProgress);
        snapshotting = snapshot;
        return snapshot;
    }

    @Override
    public boolean shouldStreamEventsStartingFromSnapshot() {
        return !(snapshotting && askedBySnapshotSource());
    }

    private static boolean askedBySnapshotSource() {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).limit(4)
                .anyMatch(frame -> frame.getClassName().equals(SNAPSHOT_SOURCE)));
    }
}
