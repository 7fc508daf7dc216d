package io.sluice.config.transform;

import io.sluice.config.Secret;
import java.util.List;
import java.util.Map;

/**
 * Changes applied to the events of some tables before any sink sees them, in this order: the row filter, then
 * {@code keep} or {@code drop}, then {@code mask} and {@code hash}, then {@code rename}. Several transforms may
 * match one table; they apply in the order written.
 *
 * @param tables  the tables it applies to: {@code schema.table}, where {@code *} matches any characters
 *                (e.g. {@code public.*})
 * @param keep    columns to keep (all others are removed); not together with {@code drop}
 * @param drop    columns to remove
 * @param rename  old column name to new name
 * @param mask    columns whose value is replaced by {@value #MASK}
 * @param hash    columns whose value is replaced by its SHA-256 hash (hex), keyed with {@code hashKey} when set
 * @param hashKey secret key for the hash (HMAC-SHA256), so values cannot be found by hashing guesses
 * @param filter  only rows for which this holds reach the sinks ({@link RowFilter}); an update whose new row
 *                does not hold is sent as a delete
 * @param topic   Kafka topic template for these tables, instead of the Kafka sinks' {@code topic}
 * @param index   Elasticsearch index template for these tables, instead of the Elasticsearch sinks' {@code index}
 * @param key     Redis key template for these tables, instead of the Redis sinks' {@code key}
 */
public record TransformConfig(List<String> tables, List<String> keep, List<String> drop, Map<String, String> rename,
        List<String> mask, List<String> hash, Secret hashKey, String filter, String topic, String index,
        String key) {

    public static final String MASK = "****";

    public TransformConfig {
        tables = tables == null ? List.of() : List.copyOf(tables);
        keep = keep == null ? null : List.copyOf(keep);
        drop = drop == null ? List.of() : List.copyOf(drop);
        rename = rename == null ? Map.of() : Map.copyOf(rename);
        mask = mask == null ? List.of() : List.copyOf(mask);
        hash = hash == null ? List.of() : List.copyOf(hash);
    }

    /** A transform of these tables that only routes them: every template may be null. */
    public static TransformConfig route(List<String> tables, String topic, String index, String key) {
        return new TransformConfig(tables, null, null, null, null, null, null, null, topic, index, key);
    }

    /** The parsed filter, or null when there is none; the loader has already checked that it parses. */
    public RowFilter rowFilter() {
        if (filter == null) {
            return null;
        }
        try {
            return RowFilterParser.parse(filter);
        } catch (RowFilterParser.SyntaxException e) {
            throw new IllegalStateException("filter was not validated: " + e.getMessage(), e);
        }
    }
}
