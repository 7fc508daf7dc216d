package io.sluice.engine.debezium;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the entry Debezium keeps for a pipeline in its {@link SourceOffsets}: key
 * {@code ["sluice-<pipeline>",{"server":"<pipeline>"}]}, value a JSON object such as
 * {@code {"lsn_proc":26365256,"lsn_commit":26365256,"lsn":26365256,"txId":730,"ts_usec":1795333492064134,
 * "messageType":"COMMIT"}}. The field names are those of Debezium's {@code PostgresOffsetContext}; this class is
 * the one place outside Debezium that knows them.
 */
public final class DebeziumOffsets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DebeziumOffsets() {
    }

    /**
     * The pipeline's stored position, or empty when it has none (never started, or offsets cleared).
     *
     * @throws OffsetStoreException when the entry is not Debezium's JSON; the message names the pipeline
     */
    public static Optional<StoredPosition> read(PipelineId pipeline, SourceOffsets offsets)
            throws OffsetStoreException {
        Optional<String> key = keyOf(pipeline, offsets);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        String value = offsets.entries().get(key.get());
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new OffsetStoreException("the stored offset of pipeline '" + pipeline + "' is not JSON: " + value);
        }
        Long lsn = number(node, "lsn");
        Long processedLsn = number(node, "lsn_proc");
        if (lsn == null && processedLsn == null) {
            throw new OffsetStoreException("the stored offset of pipeline '" + pipeline + "' has no LSN: " + value);
        }
        Long tsMicros = number(node, "ts_usec");
        Instant sourceTime = tsMicros == null || tsMicros == 0 ? null
                : Instant.EPOCH.plus(tsMicros, ChronoUnit.MICROS);
        JsonNode snapshot = node.get("snapshot");
        boolean done = node.path("snapshot_completed").asBoolean(false)
                || node.path("last_snapshot_record").asBoolean(false);
        return Optional.of(new StoredPosition(key.get(), value, lsn, processedLsn, number(node, "lsn_commit"),
                number(node, "txId"), sourceTime, snapshot == null || snapshot.isNull() ? null : snapshot.asText(),
                done));
    }

    /**
     * The offsets with the pipeline's entry replaced by one that makes Debezium stream from {@code lsn}: PostgreSQL
     * then sends every transaction whose commit record lies at or after {@code lsn}, and none before it. Other
     * entries are kept.
     *
     * <p>All three positions are set to {@code lsn}: Debezium starts streaming at {@code lsn_proc} and skips what it
     * receives until a transaction that commits after {@code lsn_commit} begins, so this reads as "every
     * transaction up to {@code lsn} was processed".
     */
    public static SourceOffsets at(PipelineId pipeline, SourceOffsets offsets, long lsn) {
        ObjectNode value = JSON.createObjectNode();
        value.put("lsn_proc", lsn);
        value.put("lsn_commit", lsn);
        value.put("lsn", lsn);
        Map<String, String> entries = new LinkedHashMap<>(offsets.entries());
        entries.put(keyOf(pipeline, offsets).orElseGet(() -> key(pipeline)), value.toString());
        return new SourceOffsets(entries);
    }

    /** The offsets without the pipeline's entry, so that its next start finds no position (and snapshots). */
    public static SourceOffsets cleared(PipelineId pipeline, SourceOffsets offsets) {
        Map<String, String> entries = new LinkedHashMap<>(offsets.entries());
        keyOf(pipeline, offsets).ifPresent(entries::remove);
        return new SourceOffsets(entries);
    }

    /** The key Debezium writes for the pipeline, in the compact JSON form its converter produces. */
    static String key(PipelineId pipeline) {
        try {
            return JSON.writeValueAsString(List.of(DebeziumProperties.engineName(pipeline),
                    Map.of("server", DebeziumProperties.topicPrefix(pipeline))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an offset key", e);
        }
    }

    /** The stored key that denotes the pipeline, however it is spaced. */
    private static Optional<String> keyOf(PipelineId pipeline, SourceOffsets offsets) {
        String engine = DebeziumProperties.engineName(pipeline);
        String server = DebeziumProperties.topicPrefix(pipeline);
        for (String key : offsets.entries().keySet()) {
            try {
                JsonNode node = JSON.readTree(key);
                if (node != null && node.isArray() && node.size() == 2 && engine.equals(node.get(0).asText())
                        && server.equals(node.get(1).path("server").asText(null))) {
                    return Optional.of(key);
                }
            } catch (JsonProcessingException e) {
                // Not a key Debezium wrote for this pipeline.
            }
        }
        return Optional.empty();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isIntegralNumber() ? value.asLong() : null;
    }
}
