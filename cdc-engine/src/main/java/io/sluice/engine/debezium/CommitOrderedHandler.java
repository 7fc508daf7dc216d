package io.sluice.engine.debezium;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.StopEngineException;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.LogContext;
import io.sluice.engine.PipelineException;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches, stamps every change with its commit-ordered version, hands the changes to the
 * {@link Dispatcher}, and marks records processed only once every sink acknowledged them.
 *
 * <h2>Versions</h2>
 * A streamed change's version is the commit LSN of its transaction, which Debezium reports only on the
 * transaction's END marker, after the changes. So the changes of an open transaction are held until its END
 * arrives (at most {@code maxTransactionChanges}; beyond that the pipeline stops with an error that says so).
 * A snapshot read's version is the snapshot's LSN: every transaction the snapshot saw committed at or before it,
 * every transaction it did not see commits after it. The rows of an incremental snapshot chunk arrive just before
 * the transaction that inserted the chunk's close watermark into the signal table; they are held until that
 * transaction's END and take its commit LSN (docs/adr/0001-commit-ordered-version.md says why both are right).
 *
 * <h2>Signal table</h2>
 * Rows of the signal table (Debezium's watermarks and the operator's signals) travel through the WAL like any
 * captured table's. They never reach a sink; the handler reads the watermarks' types to know when a chunk's window
 * is open. A truncate of a table inside an open window means the chunk read rows the truncate removed, so that
 * table's rows of the chunk are dropped: what survived the truncate was written again later and streams anyway.
 *
 * <h2>Offsets</h2>
 * Marking a record processed lets Debezium store its offset at the next flush. Records are marked strictly in
 * order, only up to the last point where nothing before it is still unacknowledged or held: the end of a
 * transaction, a snapshot read, a heartbeat outside a transaction, the close watermark's END after a chunk's rows.
 * A replay after a crash therefore always starts at a transaction boundary or later, and never skips an event.
 *
 * <h2>Stopping</h2>
 * A graceful stop lets the batch being delivered finish, so everything read is acknowledged and marked before
 * Debezium's engine closes and commits the offsets ({@link #stopReading}).
 *
 * <p>Debezium calls {@link #handleBatch} from one thread.
 */
final class CommitOrderedHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    private static final Logger LOG = LoggerFactory.getLogger(CommitOrderedHandler.class);

    static final String WINDOW_OPEN = "snapshot-window-open";
    static final String WINDOW_CLOSE = "snapshot-window-close";
    /** {@code source.snapshot} of incremental snapshot reads. */
    private static final String INCREMENTAL = "incremental";

    private final String pipeline;
    private final String transactionTopic;
    private final String signalTopic;
    private final EventNormalizer normalizer;
    private final Dispatcher dispatcher;
    private final int maxTransactionChanges;
    private final DebeziumSource.Listener progress;

    /** Held while a batch is delivered, so a graceful stop can wait for it. */
    private final ReentrantLock delivering = new ReentrantLock();
    /** Cleared when the pipeline stops: later batches are not delivered. */
    private volatile boolean reading = true;
    /** Records received but not yet marked processed, in arrival order. */
    private final List<RecordChangeEvent<SourceRecord>> unmarked = new ArrayList<>();
    /** Data records of the open transaction, waiting for its commit LSN. */
    private final List<SourceRecord> openTransaction = new ArrayList<>();
    private String openTransactionId;
    /** Rows of an incremental snapshot chunk, waiting for the commit LSN of the chunk's close watermark. */
    private final List<SourceRecord> chunkRows = new ArrayList<>();
    /** Whether an incremental snapshot chunk's window is open: its open watermark committed, its close did not. */
    private boolean windowOpen;
    /** Topics of tables truncated while the window is open. */
    private final Set<String> truncatedInWindow = new HashSet<>();

    /**
     * @param signalTopic the topic of the signal table's records, or {@code null} when no signal table is set
     */
    CommitOrderedHandler(String pipeline, String transactionTopic, String signalTopic, EventNormalizer normalizer,
            Dispatcher dispatcher, int maxTransactionChanges, DebeziumSource.Listener progress) {
        this.pipeline = pipeline;
        this.transactionTopic = transactionTopic;
        this.signalTopic = signalTopic;
        this.normalizer = normalizer;
        this.dispatcher = dispatcher;
        this.maxTransactionChanges = maxTransactionChanges;
        this.progress = progress;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        delivering.lockInterruptibly();
        try (LogContext context = LogContext.pipeline(pipeline)) {
            if (!reading) {
                // Ends Debezium's polling loop from within, leaving these records unmarked: the engine then closes
                // itself with no batch half-handed to its converter threads, which a close from outside can meet
                // (it shuts those threads down first) and report as a failure.
                throw new StopEngineException("pipeline '" + pipeline + "' is stopping");
            }
            deliver(records, committer);
        } finally {
            delivering.unlock();
        }
    }

    /**
     * Takes no further batch, and waits until the batch being delivered, if any, was acknowledged by every sink and
     * marked processed. The next batch, left unmarked (it is read again on the next start), ends the engine's
     * polling.
     */
    void stopReading() throws InterruptedException {
        reading = false;
        delivering.lockInterruptibly();
        delivering.unlock();
    }

    /** Takes no further batch, without waiting for the one being delivered. */
    void refuseBatches() {
        reading = false;
    }

    private void deliver(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<ChangeEvent> ready = new ArrayList<>(records.size());
        int safe = -1;
        try {
            for (RecordChangeEvent<SourceRecord> wrapped : records) {
                SourceRecord record = wrapped.record();
                unmarked.add(wrapped);
                if (transactionTopic.equals(record.topic())) {
                    onTransactionMarker(record, ready);
                } else if (EventNormalizer.isDataChange(record)) {
                    onDataChange(record, ready);
                } else {
                    // Heartbeats and logical decoding messages carry no row change and only move the offset.
                    progress.streaming();
                }
                if (openTransactionId == null && chunkRows.isEmpty()) {
                    safe = unmarked.size();
                }
            }
            dispatcher.metrics().held(openTransaction.size() + chunkRows.size());
            dispatcher.deliver(ready);
        } catch (PipelineException e) {
            throw new PipelineStoppedException(e);
        }
        for (int i = 0; i < safe; i++) {
            committer.markProcessed(unmarked.get(i));
        }
        if (safe > 0) {
            unmarked.subList(0, safe).clear();
        }
        committer.markBatchFinished();
    }

    private void onTransactionMarker(SourceRecord record, List<ChangeEvent> ready) throws PipelineException {
        Struct value = (Struct) record.value();
        String status = value.getString("status");
        String id = value.getString("id");
        if ("BEGIN".equals(status)) {
            openTransactionId = id;
            openTransaction.clear();
            progress.streaming();
        } else if ("END".equals(status)) {
            onCommit(id, offsetLsn(record), ready);
            openTransaction.clear();
            openTransactionId = null;
        }
    }

    private void onCommit(String transactionId, long commitLsn, List<ChangeEvent> ready) throws PipelineException {
        String watermark = null;
        List<ChangeEvent> changes = new ArrayList<>(openTransaction.size());
        for (SourceRecord change : openTransaction) {
            if (change.topic().equals(signalTopic)) {
                String type = signalType(change);
                watermark = WINDOW_OPEN.equals(type) || WINDOW_CLOSE.equals(type) ? type : watermark;
                continue;
            }
            ChangeEvent event = normalize(change, commitLsn);
            if (event.op() == Op.TRUNCATE && windowOpen) {
                truncatedInWindow.add(change.topic());
            }
            changes.add(event);
        }
        if (!chunkRows.isEmpty()) {
            if (!WINDOW_CLOSE.equals(watermark)) {
                throw new PipelineException("pipeline '" + pipeline + "': " + chunkRows.size() + " rows of an"
                        + " incremental snapshot were followed by transaction " + transactionId + ", which is not"
                        + " the close watermark of their chunk, so they have no commit LSN to order them by");
            }
            releaseChunk(commitLsn, ready);
        }
        ready.addAll(changes);
        if (watermark != null) {
            windowOpen = WINDOW_OPEN.equals(watermark);
            truncatedInWindow.clear();
        }
    }

    /** The chunk's rows take the close watermark's commit LSN; rows of tables truncated in the window are dropped. */
    private void releaseChunk(long closeCommitLsn, List<ChangeEvent> ready) throws PipelineException {
        int dropped = 0;
        for (SourceRecord row : chunkRows) {
            if (truncatedInWindow.contains(row.topic())) {
                dropped++;
            } else {
                ready.add(normalize(row, closeCommitLsn));
            }
        }
        if (dropped > 0) {
            LOG.info("pipeline '{}': dropped {} incremental snapshot rows of {} read before a truncate in the"
                    + " same window; the rows written after the truncate stream as changes", pipeline, dropped,
                    truncatedInWindow);
        }
        chunkRows.clear();
    }

    private void onDataChange(SourceRecord record, List<ChangeEvent> ready) throws PipelineException {
        String snapshot = snapshotMarker(record);
        if (record.topic().equals(signalTopic) && openTransactionId == null) {
            // The initial snapshot reads the signal table too: Debezium counts it among the captured tables.
            return;
        }
        if (INCREMENTAL.equals(snapshot)) {
            // Emitted while Debezium handles the close watermark's insert: after that transaction's BEGIN marker,
            // before the signal row (Debezium 3.6). Held either way until the watermark's END gives their version.
            chunkRows.add(record);
            return;
        }
        if (openTransactionId == null) {
            // Outside a transaction only initial snapshot reads arrive; their version is the snapshot's LSN.
            if (snapshot == null || "false".equals(snapshot)) {
                throw new PipelineException("pipeline '" + pipeline + "': a streamed change on " + record.topic()
                        + " arrived outside a transaction, so it has no commit LSN to order it by");
            }
            progress.snapshotting();
            ready.add(normalize(record, offsetLsn(record)));
            return;
        }
        if (openTransaction.size() >= maxTransactionChanges) {
            throw new PipelineException("pipeline '" + pipeline + "': transaction " + openTransactionId
                    + " has more than " + maxTransactionChanges + " changes; Sluice holds a transaction's changes"
                    + " until its commit to give them a commit-ordered version. Raise"
                    + " source.postgres.max-transaction-changes (each held change takes about 1-2 KB of heap)");
        }
        openTransaction.add(record);
    }

    private ChangeEvent normalize(SourceRecord record, long version) throws PipelineException {
        try {
            return normalizer.normalize(record, version, version);
        } catch (NormalizationException e) {
            throw new PipelineException("pipeline '" + pipeline + "': " + e.getMessage(), e);
        }
    }

    private long offsetLsn(SourceRecord record) throws PipelineException {
        Map<String, ?> offset = record.sourceOffset();
        Object lsn = offset == null ? null : offset.get("lsn");
        if (lsn instanceof Number n) {
            return n.longValue();
        }
        throw new PipelineException("pipeline '" + pipeline + "': Debezium record on " + record.topic()
                + " has no LSN in its offset " + offset);
    }

    /**
     * The record's {@code source.snapshot}: {@code null} or {@code false} for streamed changes; {@code true},
     * {@code first}, {@code last}... for initial snapshot reads; {@code incremental} for incremental snapshot reads.
     */
    private static String snapshotMarker(SourceRecord record) {
        Struct source = ((Struct) record.value()).getStruct("source");
        Object snapshot = source == null ? null : source.get("snapshot");
        return snapshot == null ? null : snapshot.toString();
    }

    /** The signal's type: Debezium reads a signal row by position (id, type, data), so does Sluice. */
    private static String signalType(SourceRecord record) {
        Struct after = ((Struct) record.value()).getStruct("after");
        if (after == null || after.schema().fields().size() < 2) {
            return null;
        }
        Object type = after.get(after.schema().fields().get(1));
        return type == null ? null : type.toString();
    }

    /** Debezium rethrows what a handler throws; this carries Sluice's plain message through it. */
    static final class PipelineStoppedException extends RuntimeException {
        PipelineStoppedException(PipelineException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
