package io.sluice.engine.debezium;

import io.debezium.embedded.Connect;
import io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.LogContext;
import io.sluice.engine.offset.PipelineId;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A PostgreSQL source: Debezium's asynchronous embedded engine reading a logical replication slot with
 * {@code pgoutput}, feeding a {@link Dispatcher} through the {@link CommitOrderedHandler}.
 */
public final class DebeziumSource implements AutoCloseable {
    private static final Duration CLOSE_RETRY = Duration.ofMillis(100);
    /** How long a graceful stop gives the engine to end by itself before closing it. */
    private static final Duration SELF_STOP_WAIT = Duration.ofMillis(500);
    private static final Duration CONNECTION_CHECK_INTERVAL = Duration.ofSeconds(1);

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
    /** Counted down when the engine has stopped, by itself or when asked. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private CommitOrderedHandler handler;
    private SourceConnectionWatch connectionWatch;

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
        handler = new CommitOrderedHandler(pipeline.name(),
                DebeziumProperties.topicPrefix(pipeline) + ".transaction",
                source.signalTable() == null ? null : DebeziumProperties.tableTopic(pipeline, source.signalTable()),
                new EventNormalizer(source.decimals(), DebeziumProperties.TOAST_PLACEHOLDER, captured.fullIdentity()),
                dispatcher, maxTransactionChanges, listener);
        engine = new ConvertingAsyncEngineBuilderFactory()
                .builder(ChangeEventFormat.of(Connect.class))
                .using(DebeziumProperties.build(pipeline, source, captured.tables(), offsets))
                .notifying(handler)
                .using((success, message, error) -> {
                    stopWatching();
                    finished.countDown();
                    listener.stopped(success ? null : failureOf(message, error));
                })
                .build();
        connectionWatch = new SourceConnectionWatch(pipeline.name(), DebeziumProperties.topicPrefix(pipeline), source,
                CONNECTION_CHECK_INTERVAL);
        connectionWatch.start();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> started = engine;
        runner.execute(() -> {
            try (LogContext context = LogContext.pipeline(pipeline.name())) {
                started.run();
            }
        });
    }

    private static Throwable failureOf(String message, Throwable error) {
        return error != null ? error : new IllegalStateException(message);
    }

    /**
     * Stops gracefully: takes no further batch, waits until every sink acknowledged the batch being delivered (for
     * as long as that takes: the dispatcher keeps retrying), then closes the engine, which stores the offset of
     * everything acknowledged and confirms it to the replication slot. Returns when the engine has stopped.
     */
    public void stop() throws InterruptedException {
        stopWatching();
        CommitOrderedHandler reading = handlerIfStarted();
        if (reading != null) {
            reading.stopReading();
            // While records flow, the next batch ends the engine from within (see the handler); a quiet source
            // sends none, so the engine is closed from here.
            if (finished.await(SELF_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                runner.shutdown();
                return;
            }
        }
        closeEngine();
    }

    /**
     * Stops without waiting for the batch being delivered, whose retries the dispatcher gives up on its own stop
     * signal; its events are not committed and are read again on the next start. Returns when the engine has
     * stopped.
     */
    @Override
    public void close() {
        stopWatching();
        CommitOrderedHandler reading = handlerIfStarted();
        if (reading != null) {
            reading.refuseBatches();
        }
        try {
            closeEngine();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized CommitOrderedHandler handlerIfStarted() {
        return handler;
    }

    /** Before the engine stops: its stop is no lost connection. */
    private synchronized void stopWatching() {
        if (connectionWatch != null) {
            connectionWatch.close();
        }
    }

    /**
     * Closes the engine; on close Debezium commits the offsets of the records marked processed, confirms them to
     * the slot and stops its task. Debezium refuses a close while its task starts and a second one while it stops
     * (IllegalStateException): then this waits a moment and asks again, until the engine has stopped.
     */
    private void closeEngine() throws InterruptedException {
        DebeziumEngine<RecordChangeEvent<SourceRecord>> running;
        synchronized (this) {
            running = engine;
        }
        if (running != null) {
            while (finished.getCount() > 0) {
                try {
                    running.close();
                    break;
                } catch (IllegalStateException notNow) {
                    finished.await(CLOSE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            finished.await();
        }
        runner.shutdown();
    }
}
