package io.sluice.engine.debezium;

import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.LogContext;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line when the pipeline loses its replication connection to PostgreSQL and one when it is back. Debezium
 * reconnects by itself (it restarts its task with backoff, for as long as it takes) but says nothing when that
 * works; whether it streams is in its streaming metrics, the MBean
 * {@code debezium.postgres:type=connector-metrics,context=streaming,server=<topic prefix>} and its {@code Connected}
 * attribute, which the watch reads every interval on a thread of its own. The bean is absent while Debezium
 * restarts its task, which counts as not connected. Only a connection that streamed once can be lost: the snapshot
 * and the start of streaming are the pipeline's own states.
 */
final class SourceConnectionWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceConnectionWatch.class);

    private final String pipeline;
    private final PostgresSourceConfig source;
    private final ObjectName streamingMetrics;
    private final Duration interval;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ScheduledExecutorService scheduler;
    /** Touched only by the scheduler's thread. */
    private boolean streamedOnce;
    private int checksNotConnected;
    private Instant lostAt;

    /** @param topicPrefix Debezium's {@code topic.prefix}: a pipeline name, which needs no quoting in an MBean name */
    SourceConnectionWatch(String pipeline, String topicPrefix, PostgresSourceConfig source, Duration interval) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.source = Objects.requireNonNull(source, "source");
        this.interval = Objects.requireNonNull(interval, "interval");
        try {
            this.streamingMetrics = new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server="
                    + topicPrefix + ",*");
        } catch (JMException e) {
            throw new IllegalArgumentException("no MBean name for topic prefix " + topicPrefix, e);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sluice-" + pipeline + "-connection-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void checkQuietly() {
        try (LogContext context = LogContext.pipeline(pipeline)) {
            check(isConnected());
        } catch (RuntimeException e) {
            // A bug here must not end the watch, and never the pipeline.
            LOG.debug("pipeline '{}': connection watch failed", pipeline, e);
        }
    }

    /**
     * One check: logs when the connection went from streaming to lost, or back. Lost takes two checks in a row: when
     * the engine stops for good its metrics go a moment before the pipeline learns of it, which is no lost
     * connection.
     */
    void check(boolean connected) {
        checksNotConnected = connected ? 0 : checksNotConnected + 1;
        if (connected && lostAt != null) {
            LOG.info("pipeline '{}': reconnected to PostgreSQL at {} after {} s; streaming again", pipeline,
                    source.address(), Duration.between(lostAt, Instant.now()).toSeconds());
            lostAt = null;
        } else if (checksNotConnected == 2 && streamedOnce && lostAt == null) {
            lostAt = Instant.now().minus(interval);
            LOG.warn("pipeline '{}': lost the replication connection to PostgreSQL at {} ({}); reconnecting with"
                    + " backoff until it is back, then reading on from the last committed position", pipeline,
                    source.address(), reason());
        }
        streamedOnce |= connected;
    }

    /** Whether Debezium streams now: its streaming metrics exist and say connected. */
    private boolean isConnected() {
        Set<ObjectName> names = server.queryNames(streamingMetrics, null);
        for (ObjectName name : names) {
            try {
                if (Boolean.TRUE.equals(server.getAttribute(name, "Connected"))) {
                    return true;
                }
            } catch (JMException e) {
                // Unregistered between the query and the read: Debezium is restarting its task.
            }
        }
        return false;
    }

    /** Why the connection may be gone, in the server's or driver's words, from a connection attempt of its own. */
    private String reason() {
        try (Connection probe = SourceConnections.open(pipeline, source, "connection-check")) {
            return "the server answers; the replication connection itself ended";
        } catch (SQLException e) {
            return PostgresPreflight.plainReason(e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
