package io.sluice.engine.debezium;

import io.debezium.embedded.Connect;
import io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.offset.PipelineId;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A PostgreSQL source: Debezium's asynchronous embedded engine reading a logical replication slot with
 * {@code pgoutput}, feeding a {@link Dispatcher} through the {@link CommitOrderedHandler}.
 */
public final class DebeziumSource implements AutoCloseable {

    /** How the source reports progress and its end to the pipeline; called from the source's threads. */
    public interface Listener {
        void snapshotting();

        void streaming();

        /** The engine stopped; {@code failure} is {@code null} after a requested stop. */
        void stopped(Throwable failure);
    }

    private final PipelineId pipeline;
    private final PostgresSourceConfig source;
    private final OffsetStoreConfig offsets;
    private final Dispatcher dispatcher;
    private final int maxTransactionChanges;
    private final CapturedTables captured;
    private final ExecutorService runner;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    /**
     * @param captured the tables to capture, as {@link PostgresPreflight} resolved them
     */
    public DebeziumSource(PipelineId pipeline, PostgresSourceConfig source, OffsetStoreConfig offsets,
            Dispatcher dispatcher, CapturedTables captured) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.source = Objects.requireNonNull(source, "source");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.maxTransactionChanges = source.maxTransactionChanges();
        this.captured = Objects.requireNonNull(captured, "captured");
        this.runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "sluice-" + pipeline + "-source"));
    }

    /** Starts reading on a thread of its own; returns at once. */
    public synchronized void start(Listener listener) {
        if (engine != null) {
            throw new IllegalStateException("already started");
        }
        CommitOrderedHandler handler = new CommitOrderedHandler(pipeline.name(),
                DebeziumProperties.topicPrefix(pipeline) + ".transaction",
                source.signalTable() == null ? null : DebeziumProperties.tableTopic(pipeline, source.signalTable()),
                new EventNormalizer(source.decimals(), DebeziumProperties.TOAST_PLACEHOLDER, captured.fullIdentity()),
                dispatcher, maxTransactionChanges, listener);
        engine = new ConvertingAsyncEngineBuilderFactory()
                .builder(ChangeEventFormat.of(Connect.class))
                .using(DebeziumProperties.build(pipeline, source, captured.tables(), offsets))
                .notifying(handler)
                .using((success, message, error) -> listener.stopped(success ? null : failureOf(message, error)))
                .build();
        runner.execute(engine);
    }

    private static Throwable failureOf(String message, Throwable error) {
        return error != null ? error : new IllegalStateException(message);
    }

    /** Stops reading; records not yet acknowledged by every sink are not committed and will be read again. */
    @Override
    public synchronized void close() {
        if (engine != null) {
            try {
                engine.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        runner.shutdown();
    }
}
