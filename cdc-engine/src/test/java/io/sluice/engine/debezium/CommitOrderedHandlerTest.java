package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
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
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommitOrderedHandlerTest {
    private static final String TX_TOPIC = "orders.transaction";
    private static final Schema TX_SCHEMA = SchemaBuilder.struct()
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .build();

    private final PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
            .key("id", Schema.INT32_SCHEMA)
            .column("name", Schema.OPTIONAL_STRING_SCHEMA)
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
        return new CommitOrderedHandler("orders", TX_TOPIC,
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
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1.0), 100, new StopSignal(),
                new Random(1));
    }

    private static RecordChangeEvent<SourceRecord> event(SourceRecord record, long offsetLsn) {
        SourceRecord withOffset = new SourceRecord(Map.of("server", "orders"), Map.of("lsn", offsetLsn),
                record.topic(), null, record.keySchema(), record.key(), record.valueSchema(), record.value());
        return () -> withOffset;
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

    private static final class RecordingSink implements Sink {
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
