package io.sluice.engine.metrics;

import java.time.Instant;

/**
 * Whether a sink of a pipeline answers, as the dispatcher last saw it.
 *
 * @param sink          the sink's name in its pipeline, e.g. {@code kafka} or {@code redis#2}
 * @param up            whether its last write succeeded (or it was not written yet); false while the dispatcher
 *                      retries it
 * @param since         when it became up, or started retrying
 * @param lastProblem   the last transient failure it reported, or {@code null} if none since start; stays after
 *                      recovery so an operator can see what happened
 * @param lastProblemAt when {@code lastProblem} was reported
 */
public record SinkHealth(String sink, boolean up, Instant since, String lastProblem, Instant lastProblemAt) {
}
