package io.sluice.engine;

import io.sluice.engine.debezium.SlotMonitor.SlotStatus;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.PipelineMetrics.Problem;
import io.sluice.engine.metrics.SinkHealth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a pipeline is doing at one moment, for probes and operators: a snapshot of its state, positions, replication
 * slot, sinks and last problem.
 *
 * @param name                the pipeline's name
 * @param state               its lifecycle state
 * @param lastReceivedLsn     commit LSN of the last event the source handed over
 * @param lastAcknowledgedLsn commit LSN of the last event every sink acknowledged (its offset is stored at the next
 *                            flush)
 * @param slot                the replication slot at its last check; empty before the first one
 * @param eventsPerSecond     events every sink acknowledged per second, over the last few seconds
 * @param received            events the source handed over since start
 * @param acknowledged        of those, the events every sink acknowledged (or transforms dropped)
 * @param queueDepth          events read and not yet acknowledged by every sink
 * @param sinks               each sink's health, in the order of the configuration
 * @param lastError           the latest problem (a sink's transient failure, or what stopped the pipeline)
 */
public record PipelineStatus(String name, PipelineState state, OptionalLong lastReceivedLsn,
        OptionalLong lastAcknowledgedLsn, Optional<SlotStatus> slot, double eventsPerSecond, long received,
        long acknowledged, long queueDepth, List<SinkHealth> sinks, Optional<Problem> lastError) {

    public PipelineStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        sinks = List.copyOf(sinks);
    }

    /** A configured pipeline whose {@link Pipeline} does not exist yet (the process is still starting). */
    public static PipelineStatus notCreated(String name) {
        return new PipelineStatus(name, PipelineState.CREATED, OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), 0, 0, 0, 0, List.of(), Optional.empty());
    }

    /** Ready: snapshotting or streaming, and every sink answers. */
    public boolean isReady() {
        return PipelineMetrics.isUp(state) && sinks.stream().allMatch(SinkHealth::up);
    }
}
