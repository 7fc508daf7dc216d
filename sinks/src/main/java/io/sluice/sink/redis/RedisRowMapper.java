package io.sluice.sink.redis;

import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.sink.codec.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a change event into one call of {@code versioned-write.lua}: the row's keys and the script's arguments
 * (the script's header documents their layout).
 *
 * <h2>Values</h2>
 * <ul>
 *   <li><b>hash</b>: one field per column of the row image, key columns included. A string is stored as its own
 *       text; any other value as its JSON text in Sluice's event JSON ({@code 42}, {@code 10.50}, {@code true},
 *       {@code {"a":1}}, {@code [1,2]}). A {@code null} column has no field.</li>
 *   <li><b>json</b>: a string holding the row as a JSON object, exactly as the event JSON's {@code after}: columns
 *       in table order, nulls included, values typed.</li>
 * </ul>
 * An insert, update or snapshot read replaces the stored row, keeping only the columns listed as unchanged
 * (unchanged TOAST values, which PostgreSQL does not send); the script keeps their cached values.
 *
 * <p>Immutable and thread-safe.
 */
final class RedisRowMapper {
    private final RedisKeyMapper keys;
    private final EventJson json;
    private final RedisValueMode mode;
    private final String ttlMillis;
    private final String deleteMarkerTtlMillis;

    /**
     * @param ttl             expiry of each row's key, or {@code null} for none
     * @param deleteMarkerTtl how long a deleted row's version is kept
     */
    RedisRowMapper(RedisKeyMapper keys, EventJson json, RedisValueMode mode, Duration ttl, Duration deleteMarkerTtl) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.json = Objects.requireNonNull(json, "json");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.ttlMillis = ttl == null ? "0" : Long.toString(positiveMillis(ttl, "ttl"));
        this.deleteMarkerTtlMillis = Long.toString(positiveMillis(deleteMarkerTtl, "deleteMarkerTtl"));
    }

    /** One call of the versioned-write script with its keys and arguments. */
    record ScriptCall(List<String> keys, List<String> args) {
        ScriptCall {
            keys = List.copyOf(keys);
            args = List.copyOf(args);
        }
    }

    /**
     * The call that applies a row event (not a truncate).
     *
     * @throws IllegalArgumentException when the event has no key, its table shares its key prefix with another
     *                                  table, or a value is not of a type a change event may carry
     */
    ScriptCall map(ChangeEvent event) {
        if (event.op() == Op.TRUNCATE) {
            throw new IllegalArgumentException("a truncate is not a row event: " + event.describe());
        }
        String dataKey = keys.dataKey(event.table(), event.key());
        if (event.isDelete()) {
            return delete(dataKey, event.version());
        }
        Row after = event.after();
        List<String> args = new ArrayList<>(6 + event.unchanged().size() + 2 * after.asMap().size());
        args.add("u");
        args.add(version(event.version()));
        args.add(ttlMillis);
        args.add(mode == RedisValueMode.HASH ? "h" : "j");
        args.add(Integer.toString(event.unchanged().size()));
        for (String column : event.unchanged()) {
            args.add(mode == RedisValueMode.HASH ? column : json.fieldNameJson(column));
        }
        if (mode == RedisValueMode.HASH) {
            for (Map.Entry<String, Object> column : after.asMap().entrySet()) {
                if (column.getValue() != null) {
                    args.add(column.getKey());
                    args.add(hashValue(column.getKey(), column.getValue()));
                }
            }
        } else if (event.unchanged().isEmpty()) {
            args.add(document(after));
        } else {
            for (Map.Entry<String, Object> column : after.asMap().entrySet()) {
                args.add(json.fieldNameJson(column.getKey()));
                args.add(json.valueJson(column.getKey(), column.getValue()));
            }
        }
        return new ScriptCall(List.of(dataKey, RedisKeyMapper.versionKey(dataKey)), args);
    }

    /** The call that removes one row found by a truncate's scan, as a delete at the truncate's version would. */
    ScriptCall delete(String dataKey, long version) {
        return new ScriptCall(List.of(dataKey, RedisKeyMapper.versionKey(dataKey)),
                List.of("d", version(version), deleteMarkerTtlMillis, mode == RedisValueMode.HASH ? "h" : "j", "0"));
    }

    /**
     * A hash field's value: a string as it is, anything else as its JSON text. Whole numbers and booleans, the
     * common non-strings, skip the JSON generator: their JSON text is their {@code toString()}. Non-finite floats,
     * which the event JSON writes as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}, are that
     * text without the quotes, as every other string is.
     */
    String hashValue(String column, Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Boolean) {
            return value.toString();
        }
        if ((value instanceof Double d && !Double.isFinite(d)) || (value instanceof Float f && !Float.isFinite(f))) {
            return value.toString();
        }
        return json.valueJson(column, value);
    }

    /** The JSON mode's document for a whole row: the event JSON's {@code after}. */
    String document(Row row) {
        return json.rowJson(row);
    }

    /**
     * Versions are compared as unsigned decimal text by the script: Lua's numbers are doubles, exact only to 2^53.
     */
    private static String version(long version) {
        return Long.toUnsignedString(version);
    }

    private static long positiveMillis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms: " + duration);
        }
        return duration.toMillis();
    }
}
