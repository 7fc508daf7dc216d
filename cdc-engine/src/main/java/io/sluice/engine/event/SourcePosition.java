package io.sluice.engine.event;

import java.time.Instant;

/**
 * Where an event came from in the source's log.
 *
 * @param lsn        the LSN PostgreSQL reported for the change (for snapshot reads: the snapshot's position).
 *                   Not in commit order across transactions; see {@link ChangeEvent#version()}.
 * @param commitLsn  end LSN of the commit record of the change's transaction (for snapshot reads: the snapshot's
 *                   position); this orders transactions by commit
 * @param txId       PostgreSQL transaction id (for snapshot reads: the snapshot transaction's), or {@code null}
 *                   when unknown
 * @param commitTime commit timestamp of the transaction (for snapshot reads: when the row was read)
 * @param snapshot   whether the event was produced by a snapshot rather than the WAL stream
 */
public record SourcePosition(long lsn, long commitLsn, Long txId, Instant commitTime, boolean snapshot) {
}
