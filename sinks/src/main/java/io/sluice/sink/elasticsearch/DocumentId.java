package io.sluice.sink.elasticsearch;

import io.sluice.engine.event.Key;
import io.sluice.sink.codec.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code _id} of a row's document, from its primary key. Stable (the same key always gives the same id, so a
 * replay hits the same document) and unambiguous within a table:
 * <ul>
 *   <li>one key column holding text (text, varchar, uuid, ...): the text itself, e.g. {@code a0eebc99-...};</li>
 *   <li>one key column of another type: its JSON form, e.g. {@code 42}, {@code 12.50} (a numeric key in
 *       Sluice's default string mode is text, so {@code 12.50} too), {@code true};</li>
 *   <li>several key columns: the JSON object Kafka records are keyed by, columns in key order, e.g.
 *       {@code {"order_id":7,"line":2}}. Strings inside are JSON-quoted and escaped, so no value can imitate a
 *       column boundary.</li>
 * </ul>
 * A table's key has one shape, so a one-column id and a several-column id never meet in the same index.
 */
final class DocumentId {
    /** Elasticsearch refuses longer ids. */
    static final int MAX_BYTES = 512;

    private DocumentId() {
    }

    static String of(Key key, EventJson json) {
        Map<String, Object> columns = key.columns();
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a row without a primary key has no document id");
        }
        if (columns.size() == 1) {
            Map.Entry<String, Object> only = columns.entrySet().iterator().next();
            if (only.getValue() instanceof String text) {
                return text;
            }
            return new String(json.keyValueBytes(only.getValue(), only.getKey()), StandardCharsets.UTF_8);
        }
        return new String(json.keyBytes(key), StandardCharsets.UTF_8);
    }

    /** Why Elasticsearch would refuse this id, or {@code null} when it accepts it. */
    static String problem(String id) {
        if (id.isEmpty()) {
            return "the primary key gives an empty document id, which Elasticsearch refuses";
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "the primary key gives a document id of " + bytes + " bytes; Elasticsearch allows at most "
                    + MAX_BYTES;
        }
        return null;
    }
}
