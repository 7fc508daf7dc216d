package io.sluice.engine.debezium;

import io.sluice.config.ByteSize;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.LogContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports how much WAL the pipeline's replication slot keeps on the server. PostgreSQL keeps every WAL segment from
 * the slot's {@code restart_lsn} on until Sluice confirms it, so a stopped, slow or failing pipeline makes the
 * source's disk fill up. Every check interval the monitor reads {@code pg_replication_slots} over a connection of
 * its own (never the replication connection), keeps the figures for status and metrics ({@link #latest()}), and
 * logs a warning when the retained WAL is above {@code wal-lag-warning}: once when it crosses the threshold, again
 * every {@link #REPEAT_EVERY} checks while it stays above, and an info line when it is back below.
 *
 * <p>A failed check is logged and retried at the next interval; it never stops the pipeline.
 */
public final class SlotMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);

    /** While above the threshold, the warning is repeated every this many checks (5 minutes at 30 s). */
    public static final int REPEAT_EVERY = 10;

    private static final String QUERY = """
            SELECT s.active, s.wal_status,
                   pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint,
                   pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint,
                   pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0')::bigint
            FROM pg_replication_slots s,
                 (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                              ELSE pg_current_wal_lsn() END AS lsn) w
            WHERE s.slot_name = ?""";

    /**
     * The slot's figures at one check.
     *
     * @param active         whether a replication connection (normally this pipeline's) is reading the slot
     * @param walStatus      PostgreSQL's {@code wal_status}: {@code reserved}, {@code extended}, {@code unreserved}
     *                       (about to lose WAL to {@code max_slot_wal_keep_size}) or {@code lost}
     * @param retainedBytes  WAL the server keeps for the slot: current WAL position minus {@code restart_lsn}
     * @param confirmedLagBytes how far the confirmed position is behind: current WAL position minus
     *                       {@code confirmed_flush_lsn}
     * @param aboveThreshold whether {@code retainedBytes} is above {@code wal-lag-warning}
     * @param checkedAt      when the figures were read
     * @param confirmedFlushLsn the slot's {@code confirmed_flush_lsn}: the position PostgreSQL knows Sluice has
     *                       committed (never ahead of the stored offset)
     */
    public record SlotStatus(boolean active, String walStatus, long retainedBytes, long confirmedLagBytes,
            boolean aboveThreshold, Instant checkedAt, long confirmedFlushLsn) {
    }

    private final String pipeline;
    private final PostgresSourceConfig source;
    private final Duration interval;
    private final Clock clock;
    private final long thresholdBytes;
    private final ScheduledExecutorService scheduler;
    private volatile SlotStatus latest;
    /** Checks in a row above the threshold; touched only by the scheduler's thread. */
    private int checksAbove;

    /**
     * @param interval how often the slot is read ({@link PostgresSourceConfig#WAL_CHECK_INTERVAL} in production)
     */
    public SlotMonitor(String pipeline, PostgresSourceConfig source, Duration interval, Clock clock) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.source = Objects.requireNonNull(source, "source");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thresholdBytes = source.walLagWarning().bytes();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sluice-" + pipeline + "-wal-monitor");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Checks now and then every interval, on a thread of its own. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::checkQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The figures of the last successful check; empty before the first one and while the slot does not exist. */
    public Optional<SlotStatus> latest() {
        return Optional.ofNullable(latest);
    }

    private void checkQuietly() {
        try (LogContext context = LogContext.pipeline(pipeline)) {
            check();
        } catch (SQLException e) {
            LOG.warn("pipeline '{}': could not read replication slot '{}' on {} to report its retained WAL: {}"
                    + " (will try again in {} s)", pipeline, source.slot(), source.address(),
                    PostgresPreflight.plainReason(e), interval.toSeconds());
        } catch (RuntimeException e) {
            // A bug here must not end the monitor's schedule, and never the pipeline.
            LOG.warn("pipeline '{}': WAL check of slot '{}' failed", pipeline, source.slot(), e);
        }
    }

    /** One check: reads the slot, keeps the figures and logs when the threshold is crossed either way. */
    void check() throws SQLException {
        try (Connection connection = SourceConnections.open(pipeline, source, "wal-monitor");
                PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setString(1, source.slot());
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    LOG.debug("pipeline '{}': replication slot '{}' does not exist on {} (yet)", pipeline,
                            source.slot(), source.address());
                    latest = null;
                    return;
                }
                String walStatus = rs.getString(2);
                long retained = rs.getLong(3);
                if (rs.wasNull()) {
                    LOG.warn("pipeline '{}': replication slot '{}' on {} holds no WAL any more (wal_status {}):"
                            + " PostgreSQL removed WAL it had not sent, so the pipeline cannot resume from it. Stop"
                            + " Sluice, drop the slot, run 'sluice offsets reset --snapshot' for the pipeline and"
                            + " start again (docs/offsets.md, Recovery)", pipeline,
                            source.slot(), source.address(), walStatus);
                    latest = null;
                    return;
                }
                long lag = rs.getLong(4);
                record(new SlotStatus(rs.getBoolean(1), walStatus, retained, lag, retained > thresholdBytes,
                        clock.instant(), rs.getLong(5)));
            }
        }
    }

    private void record(SlotStatus status) {
        latest = status;
        if (!status.aboveThreshold()) {
            if (checksAbove > 0) {
                LOG.info("pipeline '{}': replication slot '{}' on {} retains {} of WAL again, below wal-lag-warning {}",
                        pipeline, source.slot(), source.address(), ByteSize.readable(status.retainedBytes()), ByteSize.readable(thresholdBytes));
            }
            checksAbove = 0;
            return;
        }
        if (checksAbove++ % REPEAT_EVERY == 0) {
            LOG.warn("pipeline '{}': replication slot '{}' on {} retains {} of WAL, more than wal-lag-warning {};"
                    + " its confirmed position is {} behind and the slot is {}. PostgreSQL keeps this WAL until Sluice"
                    + " confirms it: make sure the pipeline runs and its sinks keep up; if the pipeline is abandoned,"
                    + " drop the slot (SELECT pg_drop_replication_slot('{}')); max_slot_wal_keep_size caps what a"
                    + " slot may keep", pipeline, source.slot(), source.address(), ByteSize.readable(status.retainedBytes()),
                    ByteSize.readable(thresholdBytes), ByteSize.readable(status.confirmedLagBytes()),
                    status.active() ? "in use" : "not in use by any connection", source.slot());
        }
    }

    /** Stops checking; waits for a check in progress to end. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(source.connectTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
