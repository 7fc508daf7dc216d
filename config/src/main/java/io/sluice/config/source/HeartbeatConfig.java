package io.sluice.config.source;

import java.time.Duration;

/**
 * How often the source reports progress while the captured tables are quiet, so that the slot can advance.
 *
 * @param interval how often a heartbeat is sent and the slot may advance (default 10s; 0 turns heartbeats off)
 * @param query    SQL run on the source at every heartbeat (optional). Needed whenever the captured tables can be
 *                 quiet while other tables are written: pgoutput sends nothing for those writes, so without it the
 *                 slot keeps their WAL. {@code SELECT pg_logical_emit_message(false, 'sluice-heartbeat', '')}
 *                 gives the slot a position to confirm without writing a row (docs/resnapshot-and-wal.md)
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
