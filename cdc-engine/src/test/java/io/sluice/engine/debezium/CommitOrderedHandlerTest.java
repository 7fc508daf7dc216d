package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.StopEngineException;
import io.sluice.config.source.DecimalMode;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.RetryPolicy;
import io.sluice.engine.SinkBinding;
import io.sluice.engine.StopSignal;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommitOrderedHandlerTest {
    private static final String TX_TOPIC = "orders.transaction";
    private static final String SIGNAL_TOPIC = "sluice.public.sluice_signal";
    private static final Schema TX_SCHEMA = SchemaBuilder.struct()
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .build();

    private final PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
            .key("id", Schema.INT32_SCHEMA)
            .column("name", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private final PostgresChangeRecords signals = PostgresChangeRecords.table("public", "sluice_signal")
            .key("id", Schema.STRING_SCHEMA)
            .column("type", Schema.STRING_SCHEMA)
            .column("data", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private final RecordingSink sink = new RecordingSink();
    private final Committer committer = new Committer();
    private final List<String> progress = new ArrayList<>();
    private Dispatcher dispatcher = dispatcherFor(sink);

    @AfterEach
    void closeDispatcher() {
        dispatcher.close();
    }

    @Test
    void changesOfATransactionWaitForItsEndAndTakeItsCommitLsnAsVersion() throws Exception {
        CommitOrderedHandler handler = handler(10);
        var begin = marker("BEGIN", "745", 90);
        var insert = event(items.insert(items.row("id", 1, "name", "a")), 100);
        var update = event(items.update(null, items.row("id", 1, "name", "b")), 110);

        handler.handleBatch(List.of(begin, insert, update), committer);

        assertThat(sink.written).isEmpty();
        assertThat(committer.marked).isEmpty();

        var end = marker("END", "745", 200);
        handler.handleBatch(List.of(end), committer);

        assertThat(sink.written).extracting(ChangeEvent::op).containsExactly(Op.INSERT, Op.UPDATE);
        assertThat(sink.written).extracting(ChangeEvent::version).containsOnly(200L);
        assertThat(sink.written).extracting(e -> e.position().lsn()).containsExactly(
                PostgresChangeRecords.LSN, PostgresChangeRecords.LSN);
        assertThat(committer.marked).containsExactly(begin, insert, update, end);
        assertThat(progress).contains("streaming");
    }

    @Test
    void recordsBeforeAnOpenTransactionAreMarkedButTheTransactionIsNot() throws Exception {
        CommitOrderedHandler handler = handler(10);
        var first = List.of(marker("BEGIN", "1", 10), event(items.insert(items.row("id", 1)), 11),
                marker("END", "1", 20));
        var open = List.of(marker("BEGIN", "2", 30), event(items.insert(items.row("id", 2)), 31));

        handler.handleBatch(concat(first, open), committer);

        assertThat(sink.written).extracting(ChangeEvent::version).containsExactly(20L);
        assertThat(committer.marked).containsExactlyElementsOf(first);
    }

    @Test
    void snapshotReadsAreDeliveredAtOnceWithTheSnapshotLsnAsVersion() throws Exception {
        CommitOrderedHandler handler = handler(10);
        var read = event(items.read(items.row("id", 7, "name", "x")), 5000);

        handler.handleBatch(List.of(read), committer);

        assertThat(sink.written).singleElement().satisfies(e -> {
            assertThat(e.op()).isEqualTo(Op.READ);
            assertThat(e.version()).isEqualTo(5000L);
        });
        assertThat(committer.marked).containsExactly(read);
        assertThat(progress).containsExactly("snapshotting");
    }

    @Test
    void nothingIsMarkedWhenASinkRejectsTheBatch() {
        dispatcher.close();
        dispatcher = dispatcherFor(new Sink() {
            @Override
            public void open() {
            }

            @Override
            public WriteResult write(List<ChangeEvent> batch) throws SinkException {
                throw new SinkException("sink kafka: not authorized");
            }

            @Override
            public void close() {
            }
        });
        CommitOrderedHandler handler = handler(10);

        assertThatThrownBy(() -> handler.handleBatch(List.of(marker("BEGIN", "1", 10),
                event(items.insert(items.row("id", 1)), 11), marker("END", "1", 20)), committer))
                .hasMessageContaining("not authorized");
        assertThat(committer.marked).isEmpty();
    }

    @Test
    void aStopWaitsUntilTheBatchBeingDeliveredIsAcknowledgedAndMarked() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        dispatcher.close();
        dispatcher = dispatcherFor(new RecordingSink() {
            @Override
            public WriteResult write(List<ChangeEvent> batch) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return super.write(batch);
            }
        });
        CommitOrderedHandler handler = handler(10);
        var batch = List.of(marker("BEGIN", "1", 10), event(items.insert(items.row("id", 1)), 11),
                marker("END", "1", 20));
        Thread delivering = new Thread(() -> {
            try {
                handler.handleBatch(batch, committer);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        delivering.start();
        writing.await();
        int[] markedWhenStopped = {-1};
        Thread stopping = new Thread(() -> {
            try {
                handler.stopReading();
                markedWhenStopped[0] = committer.marked.size();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        stopping.start();
        while (stopping.getState() != Thread.State.WAITING && stopping.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        release.countDown();
        stopping.join();
        delivering.join();

        assertThat(markedWhenStopped[0]).as("records marked when the stop returned").isEqualTo(3);
    }

    @Test
    void afterAStopTheNextBatchIsNeitherDeliveredNorMarkedAndEndsTheEnginesPolling() throws Exception {
        CommitOrderedHandler handler = handler(10);
        handler.stopReading();

        assertThatThrownBy(() -> handler.handleBatch(List.of(marker("BEGIN", "1", 10),
                event(items.insert(items.row("id", 1)), 11), marker("END", "1", 20)), committer))
                .isInstanceOf(StopEngineException.class);
        assertThat(sink.written).isEmpty();
        assertThat(committer.marked).isEmpty();
    }

    @Test
    void incrementalSnapshotRowsTakeTheCommitLsnOfTheirCloseWatermark() throws Exception {
        CommitOrderedHandler handler = handler(10);
        var open = List.of(marker("BEGIN", "60", 300), signal("c1-open", CommitOrderedHandler.WINDOW_OPEN, 301),
                marker("END", "60", 400));
        // As Debezium 3.6 sends them: the chunk's rows inside the close watermark's transaction, before its row.
        var beginClose = marker("BEGIN", "61", 500);
        var row1 = event(items.incrementalRead(items.row("id", 1, "name", "a")), 500);
        var row2 = event(items.incrementalRead(items.row("id", 2, "name", "b")), 500);
        var closeRow = signal("c1-close", CommitOrderedHandler.WINDOW_CLOSE, 501);

        handler.handleBatch(concat(open, List.of(beginClose, row1, row2, closeRow)), committer);

        assertThat(sink.written).isEmpty();
        assertThat(committer.marked).containsExactlyElementsOf(open);

        var endClose = marker("END", "61", 600);
        handler.handleBatch(List.of(endClose), committer);

        assertThat(sink.written).extracting(ChangeEvent::op).containsExactly(Op.READ, Op.READ);
        assertThat(sink.written).extracting(ChangeEvent::version).containsOnly(600L);
        assertThat(sink.written).extracting(e -> e.position().lsn()).containsOnly(600L);
        assertThat(sink.written).allMatch(e -> e.position().snapshot());
        assertThat(committer.marked).endsWith(beginClose, row1, row2, closeRow, endClose);
        assertThat(progress).doesNotContain("snapshotting");
    }

    @Test
    void incrementalSnapshotRowsBeforeTheirWatermarkTransactionAlsoWaitForItsEnd() throws Exception {
        CommitOrderedHandler handler = handler(10);
        var row = event(items.incrementalRead(items.row("id", 1, "name", "a")), 500);

        handler.handleBatch(List.of(row, marker("BEGIN", "61", 500),
                signal("c1-close", CommitOrderedHandler.WINDOW_CLOSE, 501), marker("END", "61", 600)), committer);

        assertThat(sink.written).singleElement().extracting(ChangeEvent::version).isEqualTo(600L);
    }

    @Test
    void signalRowsNeverReachSinks() throws Exception {
        CommitOrderedHandler handler = handler(10);

        handler.handleBatch(List.of(marker("BEGIN", "70", 10), signal("s1", "execute-snapshot", 11),
                event(items.insert(items.row("id", 1)), 12), marker("END", "70", 20),
                // The initial snapshot reads the signal table too.
                event(signals.read(signals.row("id", "old", "type", "execute-snapshot")), 30)), committer);

        assertThat(sink.written).singleElement().satisfies(e -> {
            assertThat(e.table().table()).isEqualTo("items");
            assertThat(e.version()).isEqualTo(20L);
        });
    }

    @Test
    void chunkRowsOfATableTruncatedInsideTheWindowAreDropped() throws Exception {
        CommitOrderedHandler handler = handler(10);

        handler.handleBatch(List.of(
                marker("BEGIN", "60", 300), signal("c1-open", CommitOrderedHandler.WINDOW_OPEN, 301),
                marker("END", "60", 400),
                marker("BEGIN", "61", 410), event(items.truncate(), 411), marker("END", "61", 420),
                marker("BEGIN", "62", 500), event(items.incrementalRead(items.row("id", 1, "name", "a")), 500),
                signal("c1-close", CommitOrderedHandler.WINDOW_CLOSE, 501), marker("END", "62", 600),
                // The next window sees the table as it is after the truncate.
                marker("BEGIN", "63", 700), signal("c2-open", CommitOrderedHandler.WINDOW_OPEN, 701),
                marker("END", "63", 800),
                marker("BEGIN", "64", 900), event(items.incrementalRead(items.row("id", 5, "name", "e")), 900),
                signal("c2-close", CommitOrderedHandler.WINDOW_CLOSE, 901), marker("END", "64", 1000)), committer);

        assertThat(sink.written).extracting(ChangeEvent::op).containsExactly(Op.TRUNCATE, Op.READ);
        assertThat(sink.written.get(1).key().columns()).containsEntry("id", 5);
    }

    @Test
    void chunkRowsFollowedByAnotherTransactionThanTheirWatermarkStopThePipeline() {
        CommitOrderedHandler handler = handler(10);

        assertThatThrownBy(() -> handler.handleBatch(List.of(
                event(items.incrementalRead(items.row("id", 1)), 500), marker("BEGIN", "80", 500),
                event(items.insert(items.row("id", 2)), 501), marker("END", "80", 600)), committer))
                .hasMessageContaining("pipeline 'orders'")
                .hasMessageContaining("not the close watermark");
        assertThat(sink.written).isEmpty();
        assertThat(committer.marked).isEmpty();
    }

    @Test
    void streamedChangeOutsideATransactionStopsThePipelineRatherThanGuessAVersion() {
        CommitOrderedHandler handler = handler(10);

        assertThatThrownBy(() -> handler.handleBatch(List.of(event(items.insert(items.row("id", 1)), 11)),
                committer))
                .hasMessageContaining("pipeline 'orders'")
                .hasMessageContaining("outside a transaction");
        assertThat(sink.written).isEmpty();
    }

    @Test
    void transactionLargerThanTheLimitStopsThePipelineNamingTheSetting() {
        CommitOrderedHandler handler = handler(2);
        List<RecordChangeEvent<SourceRecord>> batch = new ArrayList<>();
        batch.add(marker("BEGIN", "9", 1));
        for (int i = 0; i < 3; i++) {
            batch.add(event(items.insert(items.row("id", i)), 2 + i));
        }

        assertThatThrownBy(() -> handler.handleBatch(batch, committer))
                .hasMessageContaining("transaction 9 has more than 2 changes")
                .hasMessageContaining("max-transaction-changes");
    }

    private CommitOrderedHandler handler(int maxTransactionChanges) {
        return new CommitOrderedHandler("orders", TX_TOPIC, SIGNAL_TOPIC,
                new EventNormalizer(DecimalMode.STRING, PostgresChangeRecords.PLACEHOLDER, Set.of()), dispatcher,
                maxTransactionChanges, new DebeziumSource.Listener() {
                    @Override
                    public void snapshotting() {
                        if (!progress.contains("snapshotting")) {
                            progress.add("snapshotting");
                        }
                    }

                    @Override
                    public void streaming() {
                        if (!progress.contains("streaming")) {
                            progress.add("streaming");
                        }
                    }

                    @Override
                    public void stopped(Throwable failure) {
                    }
                });
    }

    private static Dispatcher dispatcherFor(Sink sink) {
        return new Dispatcher("orders", List.of(new SinkBinding("kafka", sink)),
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1.0), new StopSignal(),
                new Random(1));
    }

    private static RecordChangeEvent<SourceRecord> event(SourceRecord record, long offsetLsn) {
        SourceRecord withOffset = new SourceRecord(Map.of("server", "orders"), Map.of("lsn", offsetLsn),
                record.topic(), null, record.keySchema(), record.key(), record.valueSchema(), record.value());
        return () -> withOffset;
    }

    private RecordChangeEvent<SourceRecord> signal(String id, String type, long offsetLsn) {
        return event(signals.insert(signals.row("id", id, "type", type, "data", "{}")), offsetLsn);
    }

    private static RecordChangeEvent<SourceRecord> marker(String status, String txId, long offsetLsn) {
        Struct value = new Struct(TX_SCHEMA).put("status", status).put("id", txId);
        SourceRecord record = new SourceRecord(Map.of("server", "orders"), Map.of("lsn", offsetLsn), TX_TOPIC,
                null, null, null, TX_SCHEMA, value);
        return () -> record;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static class RecordingSink implements Sink {
        final List<ChangeEvent> written = new ArrayList<>();

        @Override
        public void open() {
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) {
            written.addAll(batch);
            return WriteResult.allApplied();
        }

        @Override
        public void close() {
        }
    }

    private static final class Committer implements DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> {
        final List<RecordChangeEvent<SourceRecord>> marked = new ArrayList<>();

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record) {
            marked.add(record);
        }

        @Override
        public void markBatchFinished() {
        }

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record, DebeziumEngine.Offsets offsets) {
            marked.add(record);
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            throw new UnsupportedOperationException("Sluice never rewrites offsets");
        }
    }
}
