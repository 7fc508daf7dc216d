package io.sluice.it;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.ElasticsearchHttp;
import io.sluice.it.support.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.RedisClient;

/**
 * The rows a table or a sink holds, in one form that every sink can be compared in: row id to column name to the
 * column's value as text (a string as it is, anything else as its JSON text), null columns left out as the Redis
 * hash form leaves them out. Tables keyed by a single {@code id} column.
 */
final class SinkRows {
    /** Keeps numbers exactly as written, as consumers of Sluice's JSON see them. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private SinkRows() {
    }

    /** A JSON object's non-null fields as text. */
    static Map<String, String> of(JsonNode object) {
        Map<String, String> row = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isNull()) {
                row.put(field.getKey(), field.getValue().isTextual() ? field.getValue().asText()
                        : field.getValue().toString());
            }
        }
        return row;
    }

    static Map<String, String> of(String json) {
        return of(parse(json));
    }

    /** The rows of a table: {@code select} gives each row's {@code to_jsonb}, e.g. {@code SELECT to_jsonb(t) FROM t}. */
    static Map<String, Map<String, String>> source(LocalPostgres postgres, String database, String select) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(select)) {
            while (rs.next()) {
                Map<String, String> row = of(rs.getString(1));
                rows.put(row.get("id"), row);
            }
        } catch (SQLException e) {
            throw new AssertionError("could not read " + database + ": " + select, e);
        }
        return rows;
    }

    /**
     * The rows a topic's records leave to a consumer that keeps the latest record per key: a delete event or a
     * tombstone removes the row, a truncate removes them all.
     */
    static Map<String, Map<String, String>> kafka(List<Received> records, String topic) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (Received record : records) {
            if (!record.topic().equals(topic)) {
                continue;
            }
            if (!record.isTombstone() && record.op().equals("t")) {
                rows.clear();
                continue;
            }
            String id = record.key().path("id").asText();
            if (record.isTombstone() || record.op().equals("d")) {
                rows.remove(id);
            } else {
                rows.put(id, of(record.after()));
            }
        }
        return rows;
    }

    /** The documents of an index by id, from their {@code _source}; empty when the index does not exist. */
    static Map<String, Map<String, String>> elasticsearch(ElasticsearchHttp http, String index) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        http.documents(index).forEach((id, document) -> rows.put(id, of(document.raw())));
        return rows;
    }

    /** The rows under {@code prefix} (a table's key prefix, e.g. {@code crm:customers:}) by the rest of the key. */
    static Map<String, Map<String, String>> redis(RedisClient client, String prefix, RedisValueMode mode) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        redisKeys(client, prefix.replace("*", "\\*") + "*", mode)
                .forEach((key, row) -> rows.put(key.substring(prefix.length()), row));
        return rows;
    }

    /** The rows of the data keys matching a SCAN pattern, by their whole key. */
    static Map<String, Map<String, String>> redisKeys(RedisClient client, String pattern, RedisValueMode mode) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (String key : RedisFixture.scan(client, pattern)) {
            // A listed key may be deleted before it is read, as tests poll while the pipeline streams: it is left
            // out, as the next scan would leave it out (Redis holds no empty hash).
            if (mode == RedisValueMode.HASH) {
                Map<String, String> hash = client.hgetAll(key);
                if (!hash.isEmpty()) {
                    rows.put(key, new TreeMap<>(hash));
                }
            } else {
                String json = client.get(key);
                if (json != null) {
                    rows.put(key, of(json));
                }
            }
        }
        return rows;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
