package io.sluice.offsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The one JSON form of a pipeline's stored offsets, so that every store reads and writes them alike and an operator
 * can read them by hand:
 * <pre>{"pipeline":"orders","saved_at":"2026-11-22T10:15:30Z","offsets":{"[\"sluice-orders\",{...}]":"{\"lsn\":...}"}}</pre>
 * The file store writes the whole document as its file, the Kafka store as each record's value, and the JDBC store
 * keeps the {@code offsets} object in a column beside the pipeline's name and save time.
 *
 * @param pipeline the pipeline that saved the offsets; {@code null} when a read document does not say
 * @param savedAt  when they were saved; {@code null} when a read document does not say
 * @param offsets  Debezium's offsets: source partition (JSON) to offset (JSON)
 */
public record OffsetDocument(String pipeline, Instant savedAt, SourceOffsets offsets) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectReader ENTRIES = JSON.readerFor(new TypeReference<Map<String, String>>() {
    });

    public OffsetDocument {
        Objects.requireNonNull(offsets, "offsets");
    }

    public static OffsetDocument of(PipelineId pipeline, Instant savedAt, SourceOffsets offsets) {
        return new OffsetDocument(pipeline.name(), savedAt, offsets);
    }

    /** The document on one line, e.g. as a Kafka record value that console tools print one per line. */
    public byte[] toJson() {
        return write(JSON.writer());
    }

    /** The document indented, for a file people open in an editor. */
    public byte[] toIndentedJson() {
        return write(JSON.writerWithDefaultPrettyPrinter());
    }

    private byte[] write(ObjectWriter writer) {
        ObjectNode root = JSON.createObjectNode();
        root.put("pipeline", pipeline);
        root.put("saved_at", savedAt == null ? null : savedAt.toString());
        root.set("offsets", JSON.valueToTree(sorted(offsets)));
        try {
            return writer.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            // A tree of strings always serializes; anything else is a bug here.
            throw new UncheckedIOException(e);
        }
    }

    /** True unless the document names another pipeline than {@code expected}. */
    public boolean belongsTo(PipelineId expected) {
        return pipeline == null || pipeline.equals(expected.name());
    }

    /**
     * Reads a document; a missing {@code offsets} member means none.
     *
     * @throws IOException when the bytes are not such a document
     */
    public static OffsetDocument parse(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        String pipeline = root.path("pipeline").isTextual() ? root.get("pipeline").asText() : null;
        Instant savedAt = null;
        if (root.path("saved_at").isTextual()) {
            try {
                savedAt = Instant.parse(root.get("saved_at").asText());
            } catch (DateTimeParseException e) {
                throw new IOException("saved_at is not a time: " + root.get("saved_at").asText(), e);
            }
        }
        return new OffsetDocument(pipeline, savedAt, entries(root.path("offsets")));
    }

    /** The {@code offsets} object alone as JSON, for a store that keeps the rest of the document elsewhere. */
    public static String offsetsToJson(SourceOffsets offsets) {
        try {
            return JSON.writeValueAsString(sorted(offsets));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an {@code offsets} object written by {@link #offsetsToJson}.
     *
     * @throws IOException when the text is not a JSON object of strings
     */
    public static SourceOffsets offsetsFromJson(String json) throws IOException {
        return entries(JSON.readTree(json));
    }

    private static SourceOffsets entries(JsonNode node) throws IOException {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return SourceOffsets.none();
        }
        if (!node.isObject()) {
            throw new IOException("offsets is not a JSON object");
        }
        Map<String, String> entries = ENTRIES.readValue(node);
        return new SourceOffsets(entries);
    }

    /** Sorted, so that the same offsets are always written the same way. */
    private static Map<String, String> sorted(SourceOffsets offsets) {
        return new TreeMap<>(offsets.entries());
    }
}
