package io.sluice.engine;

import io.sluice.engine.sink.Sink;
import java.util.Objects;

/**
 * A sink of a pipeline with the name messages and logs use for it, e.g. {@code kafka} or {@code kafka#2} when a
 * pipeline has several of one kind.
 */
public record SinkBinding(String name, Sink sink) {
    public SinkBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sink, "sink");
    }
}
