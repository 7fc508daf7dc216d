package io.sluice.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The body of the create-index request the sink sends for a missing index: the configured settings and mappings
 * (inline or from {@code index-file}), Sluice's {@code index.gc_deletes}, and the alias if one is configured.
 *
 * <p>{@code index.gc_deletes} is how long Elasticsearch remembers the version of a deleted document. Within it, a
 * replayed older upsert of a deleted row is refused like any older version; after it, such an upsert would recreate
 * the document until the replayed delete that follows it removes it again. Elasticsearch's default of 60 s is
 * shorter than one offset flush interval, so Sluice sets a longer one (see docs/sinks/elasticsearch.md).
 */
final class IndexDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode settings;
    private final ObjectNode mappings;

    private IndexDefinition(ObjectNode settings, ObjectNode mappings) {
        this.settings = settings;
        this.mappings = mappings;
    }

    /**
     * @throws IOException when {@code index-file} cannot be read or does not hold a JSON object
     */
    static IndexDefinition of(ElasticsearchSinkConfig config) throws IOException {
        ObjectNode settings;
        ObjectNode mappings;
        if (config.indexFile() != null) {
            JsonNode body = JSON.readTree(Files.readString(config.indexFile()));
            if (body == null || !body.isObject()) {
                throw new IOException(config.indexFile() + " does not hold a JSON object");
            }
            settings = objectOrEmpty(body.get("settings"));
            mappings = objectOrEmpty(body.get("mappings"));
        } else {
            settings = JSON.valueToTree(config.settings());
            mappings = JSON.valueToTree(config.mappings());
        }
        settings.put("index.gc_deletes", millis(config.gcDeletes()));
        return new IndexDefinition(settings, mappings);
    }

    /** The JSON body creating an index, with {@code alias} added when it is not {@code null}. */
    String createBody(String alias) {
        ObjectNode body = JSON.createObjectNode();
        body.set("settings", settings);
        if (!mappings.isEmpty()) {
            body.set("mappings", mappings);
        }
        if (alias != null) {
            body.putObject("aliases").putObject(alias);
        }
        return body.toString();
    }

    /** The value Sluice gives {@code index.gc_deletes}. */
    String gcDeletes() {
        return settings.get("index.gc_deletes").asText();
    }

    static String millis(Duration duration) {
        return duration.toMillis() + "ms";
    }

    private static ObjectNode objectOrEmpty(JsonNode node) throws IOException {
        if (node == null || node.isNull()) {
            return JSON.createObjectNode();
        }
        if (!node.isObject()) {
            throw new IOException("settings and mappings must be JSON objects");
        }
        return (ObjectNode) node.deepCopy();
    }

    @Override
    public String toString() {
        return "IndexDefinition[settings=" + settings.size() + " key(s), mappings=" + mappings.size()
                + " key(s), gc_deletes=" + gcDeletes() + "]";
    }
}
