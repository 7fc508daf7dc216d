package io.sluice.engine;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.RetryConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.engine.sink.Sink;
import java.util.Objects;

/**
 * A sink of a pipeline with how the dispatcher treats it: the name messages and logs use for it (e.g. {@code kafka},
 * or {@code kafka#2} when a pipeline has several of one kind), what to do with events it rejects for good, the
 * tables it receives, the most events per write and its backoff after transient failures.
 *
 * @param retry null for the pipeline's default backoff
 */
public record SinkBinding(String name, Sink sink, FailurePolicy onFailure, TableSelection tables, int batchSize,
        RetryPolicy retry) {
    public SinkBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(tables, "tables");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
    }

    /** A sink of every table, with default batches and backoff, whose rejected events stop the pipeline. */
    public SinkBinding(String name, Sink sink) {
        this(name, sink, FailurePolicy.FAIL);
    }

    /** A sink of every table, with default batches and backoff. */
    public SinkBinding(String name, Sink sink, FailurePolicy onFailure) {
        this(name, sink, onFailure, TableSelection.ALL, SinkConfig.DEFAULT_BATCH_SIZE, null);
    }

    /** A sink treated as its configuration says. */
    public static SinkBinding of(String name, Sink sink, SinkConfig config) {
        RetryConfig retry = config.retry();
        return new SinkBinding(name, sink, config.onFailure(), TableSelection.of(config.tables()), config.batchSize(),
                retry == null ? null : new RetryPolicy(retry.initialBackoff(), retry.maxBackoff(), 2.0));
    }
}
