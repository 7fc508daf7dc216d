package io.sluice.config.source;

import java.time.Duration;

/**
 * How often the source reports progress while the captured tables are quiet. Without heartbeats a slot whose
 * tables see no changes keeps every WAL segment written by the rest of the database.
 *
 * @param interval how often a heartbeat is sent and the slot may advance (default 10s; 0 turns heartbeats off)
 * @param query    SQL run on the source at every heartbeat, e.g. an update of a one-row table that is in the
 *                 publication, so even a database whose only writes are elsewhere produces WAL the slot can
 *                 confirm (optional)
 */
public record HeartbeatConfig(Duration interval, String query) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final HeartbeatConfig DEFAULT = new HeartbeatConfig(null, null);

    public HeartbeatConfig {
        interval = interval == null ? DEFAULT_INTERVAL : interval;
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
