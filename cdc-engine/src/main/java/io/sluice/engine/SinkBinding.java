package io.sluice.engine;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.engine.sink.Sink;
import java.util.Objects;

/**
 * A sink of a pipeline with the name messages and logs use for it, e.g. {@code kafka} or {@code kafka#2} when a
 * pipeline has several of one kind, and what to do with events it rejects for good.
 */
public record SinkBinding(String name, Sink sink, FailurePolicy onFailure) {
    public SinkBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(onFailure, "onFailure");
    }

    /** A sink whose rejected events stop the pipeline. */
    public SinkBinding(String name, Sink sink) {
        this(name, sink, FailurePolicy.FAIL);
    }
}
