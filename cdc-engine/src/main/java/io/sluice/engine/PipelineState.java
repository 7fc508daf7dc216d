package io.sluice.engine;

import java.util.Set;

/** The lifecycle of a pipeline. Transitions are guarded: {@link #canMoveTo} lists the legal ones. */
public enum PipelineState {
    CREATED,
    /** Checking the source and opening sinks. */
    STARTING,
    /** Reading the captured tables in full. */
    SNAPSHOTTING,
    /** Following the WAL. */
    STREAMING,
    /** Stop requested: delivering what was read, then committing offsets. */
    STOPPING,
    STOPPED,
    FAILED;

    public boolean canMoveTo(PipelineState next) {
        return switch (this) {
            case CREATED -> next == STARTING || next == STOPPED;
            case STARTING -> Set.of(SNAPSHOTTING, STREAMING, STOPPING, STOPPED, FAILED).contains(next);
            case SNAPSHOTTING -> Set.of(STREAMING, STOPPING, STOPPED, FAILED).contains(next);
            case STREAMING -> Set.of(SNAPSHOTTING, STOPPING, STOPPED, FAILED).contains(next);
            case STOPPING -> next == STOPPED || next == FAILED;
            case STOPPED, FAILED -> false;
        };
    }

    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
