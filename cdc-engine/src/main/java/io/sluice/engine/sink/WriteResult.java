package io.sluice.engine.sink;

import java.util.List;

/**
 * Outcome of {@link Sink#write}: the events that were not applied. Every event of the batch not listed here was
 * applied (or was already applied: an older or replayed version is a success).
 */
public record WriteResult(List<EventFailure> failures) {
    private static final WriteResult ALL_APPLIED = new WriteResult(List.of());

    public WriteResult {
        failures = List.copyOf(failures);
    }

    public static WriteResult allApplied() {
        return ALL_APPLIED;
    }

    public boolean isAllApplied() {
        return failures.isEmpty();
    }

    /**
     * One event a sink could not apply.
     *
     * @param index     position of the event in the batch given to {@code write}
     * @param retriable whether trying again later may succeed (e.g. throttled) or never will (e.g. rejected value)
     * @param reason    what the target said, without row values or secrets
     */
    public record EventFailure(int index, boolean retriable, String reason) {
    }
}
