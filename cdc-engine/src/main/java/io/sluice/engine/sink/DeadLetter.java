package io.sluice.engine.sink;

import io.sluice.engine.event.ChangeEvent;
import java.util.Objects;

/**
 * An event a sink rejected for good, on its way to the pipeline's dead-letter target.
 *
 * @param pipeline the pipeline's name
 * @param sink     the sink's name in the pipeline, e.g. {@code elasticsearch} or {@code kafka#2}
 * @param event    the event as the sink received it (after the pipeline's transforms)
 * @param error    why the sink rejected it, as the sink reported it (no row values, no secrets)
 */
public record DeadLetter(String pipeline, String sink, ChangeEvent event, String error) {
    public DeadLetter {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(error, "error");
    }
}
