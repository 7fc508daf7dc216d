package io.sluice.app.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.PipelineStatus;
import io.sluice.engine.debezium.SlotMonitor.SlotStatus;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.PipelineMetrics.Problem;
import io.sluice.engine.metrics.SinkHealth;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** The JSON bodies of the health and status endpoints (field names in docs/operations.md). */
final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Reports() {
    }

    /** Live unless threads of the process are deadlocked: then only a restart helps. */
    static ObjectNode liveness(ThreadMXBean threads) {
        ObjectNode body = JSON.createObjectNode();
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked == null) {
            body.put("status", "UP");
            return body;
        }
        body.put("status", "DOWN");
        body.put("reason", "deadlocked threads: " + Arrays.stream(threads.getThreadInfo(deadlocked))
                .filter(Objects::nonNull).map(ThreadInfo::getThreadName).collect(Collectors.joining(", ")));
        return body;
    }

    static boolean isUp(ObjectNode health) {
        return "UP".equals(health.path("status").asText());
    }

    /** Ready when every pipeline is ready; otherwise lists each pipeline or sink that is not, and why. */
    static ObjectNode readiness(List<PipelineStatus> pipelines) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode notReady = JSON.createArrayNode();
        for (PipelineStatus p : pipelines) {
            if (!PipelineMetrics.isUp(p.state())) {
                ObjectNode entry = notReady.addObject();
                entry.put("pipeline", p.name());
                entry.put("state", state(p));
                entry.put("reason", "the pipeline is " + state(p) + ", not snapshotting or streaming");
            }
            for (SinkHealth sink : p.sinks()) {
                if (!sink.up()) {
                    ObjectNode entry = notReady.addObject();
                    entry.put("pipeline", p.name());
                    entry.put("sink", sink.sink());
                    entry.put("reason", "retrying since " + sink.since() + ": " + sink.lastProblem());
                }
            }
        }
        body.put("status", notReady.isEmpty() ? "UP" : "DOWN");
        if (!notReady.isEmpty()) {
            body.set("not_ready", notReady);
        }
        return body;
    }

    /** Every pipeline's state, positions, slot, sinks and last problem. */
    static ObjectNode status(List<PipelineStatus> pipelines) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("pipelines");
        for (PipelineStatus p : pipelines) {
            ObjectNode node = array.addObject();
            node.put("name", p.name());
            node.put("state", state(p));
            node.put("ready", p.isReady());
            putLsn(node, "last_received_lsn", p.lastReceivedLsn());
            putLsn(node, "last_acknowledged_lsn", p.lastAcknowledgedLsn());
            putLsn(node, "last_committed_lsn", p.slot().map(s -> OptionalLong.of(s.confirmedFlushLsn()))
                    .orElse(OptionalLong.empty()));
            node.put("events_per_second", Math.round(p.eventsPerSecond() * 10) / 10.0);
            node.put("events_received", p.received());
            node.put("events_acknowledged", p.acknowledged());
            node.put("queue_depth", p.queueDepth());
            if (p.slot().isPresent()) {
                SlotStatus s = p.slot().get();
                ObjectNode slot = node.putObject("slot");
                slot.put("active", s.active());
                slot.put("wal_status", s.walStatus());
                slot.put("retained_wal_bytes", s.retainedBytes());
                slot.put("lag_bytes", s.confirmedLagBytes());
                slot.put("checked_at", s.checkedAt().toString());
            } else {
                node.putNull("slot");
            }
            ArrayNode sinks = node.putArray("sinks");
            for (SinkHealth sink : p.sinks()) {
                ObjectNode s = sinks.addObject();
                s.put("name", sink.sink());
                s.put("health", sink.up() ? "up" : "retrying");
                s.put("since", text(sink.since()));
                s.put("last_problem", sink.lastProblem());
                s.put("last_problem_at", text(sink.lastProblemAt()));
            }
            if (p.lastError().isPresent()) {
                Problem problem = p.lastError().get();
                ObjectNode error = node.putObject("last_error");
                error.put("message", problem.message());
                error.put("at", text(problem.at()));
            } else {
                node.putNull("last_error");
            }
        }
        return body;
    }

    private static String state(PipelineStatus p) {
        return p.state().name().toLowerCase(Locale.ROOT);
    }

    private static void putLsn(ObjectNode node, String field, OptionalLong lsn) {
        if (lsn.isPresent()) {
            node.put(field, Lsn.format(lsn.getAsLong()));
        } else {
            node.putNull(field);
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
