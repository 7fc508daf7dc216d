package io.sluice.sink.codec;

import io.sluice.engine.sink.DeadLetter;
import java.time.Instant;
import java.util.Objects;

/**
 * A dead letter as a target holds it.
 *
 * @param letter   the event, its sink and pipeline, and why the sink rejected it
 * @param failedAt when it was written to the target
 */
public record StoredDeadLetter(DeadLetter letter, Instant failedAt) {
    public StoredDeadLetter {
        Objects.requireNonNull(letter, "letter");
        Objects.requireNonNull(failedAt, "failedAt");
    }
}
