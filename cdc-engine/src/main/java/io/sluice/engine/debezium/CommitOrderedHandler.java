package io.sluice.engine.debezium;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.PipelineException;
import io.sluice.engine.event.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Receives Debezium's batches, stamps every change with its commit-ordered version, hands the changes to the
 * {@link Dispatcher}, and marks records processed only once every sink acknowledged them.
 *
 * <h2>Versions</h2>
 * A streamed change's version is the commit LSN of its transaction, which Debezium reports only on the
 * transaction's END marker, after the changes. So the changes of an open transaction are held until its END
 * arrives (at most {@code maxTransactionChanges}; beyond that the pipeline stops with an error that says so).
 * A snapshot read's version is the snapshot's LSN: every transaction the snapshot saw committed at or before it,
 * every transaction it did not see commits after it (docs/adr/0001-commit-ordered-version.md).
 *
 * <h2>Offsets</h2>
 * Marking a record processed lets Debezium store its offset at the next flush. Records are marked strictly in
 * order, only up to the last point where nothing before it is still unacknowledged or held: the end of a
 * transaction, a snapshot read, a heartbeat outside a transaction. A replay after a crash therefore always starts
 * at a transaction boundary or later, and never skips an event.
 *
 * <p>Debezium calls {@link #handleBatch} from one thread.
 */
final class CommitOrderedHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private final String pipeline;
    private final String transactionTopic;
    private final EventNormalizer normalizer;
    private final Dispatcher dispatcher;
    private final int maxTransactionChanges;
    private final DebeziumSource.Listener progress;

    /** Records received but not yet marked processed, in arrival order. */
    private final List<RecordChangeEvent<SourceRecord>> unmarked = new ArrayList<>();
    /** Data records of the open transaction, waiting for its commit LSN. */
    private final List<SourceRecord> openTransaction = new ArrayList<>();
    private String openTransactionId;

    CommitOrderedHandler(String pipeline, String transactionTopic, EventNormalizer normalizer, Dispatcher dispatcher,
            int maxTransactionChanges, DebeziumSource.Listener progress) {
        this.pipeline = pipeline;
        this.transactionTopic = transactionTopic;
        this.normalizer = normalizer;
        this.dispatcher = dispatcher;
        this.maxTransactionChanges = maxTransactionChanges;
        this.progress = progress;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
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
                    // Heartbeats are only sent while streaming; they carry no change and only move the offset.
                    progress.streaming();
                }
                if (openTransactionId == null) {
                    safe = unmarked.size();
                }
            }
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
            long commitLsn = offsetLsn(record);
            for (SourceRecord change : openTransaction) {
                ready.add(normalize(change, commitLsn));
            }
            openTransaction.clear();
            openTransactionId = null;
        }
    }

    private void onDataChange(SourceRecord record, List<ChangeEvent> ready) throws PipelineException {
        if (openTransactionId == null) {
            // Outside a transaction only snapshot reads arrive; their version is the snapshot's LSN.
            if (!isSnapshotRead(record)) {
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

    /** Snapshot reads carry {@code source.snapshot} other than {@code false} ({@code true}, {@code first}, {@code last}...). */
    private static boolean isSnapshotRead(SourceRecord record) {
        Struct source = ((Struct) record.value()).getStruct("source");
        Object snapshot = source == null ? null : source.get("snapshot");
        return snapshot != null && !"false".equals(snapshot.toString());
    }

    /** Debezium rethrows what a handler throws; this carries Sluice's plain message through it. */
    static final class PipelineStoppedException extends RuntimeException {
        PipelineStoppedException(PipelineException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
