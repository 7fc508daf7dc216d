package io.sluice.engine.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable row image: column name to value, in table column order.
 *
 * <p>Values are JSON-friendly and lossless: {@code null}, {@link Boolean}, {@link Short}/{@link Integer}/{@link Long},
 * {@link java.math.BigDecimal} (exact numerics in number mode), {@link Float}/{@link Double}, {@link String} (text,
 * uuid, enums, ISO-8601 temporals and intervals, base64 bytea, numerics in string mode), {@link java.util.List}
 * (arrays) and {@link Map} (json/jsonb objects; json arrays are lists). A column absent from the row was not sent by
 * the source (an unchanged TOAST value); it is never present with a placeholder.
 */
public final class Row {
    private static final Row EMPTY = new Row(Map.of());
    private final Map<String, Object> values;

    private Row(Map<String, Object> values) {
        this.values = values;
    }

    /** Copies the map, keeping its iteration order; {@code null} values are allowed. */
    public static Row of(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        if (values.isEmpty()) {
            return EMPTY;
        }
        return new Row(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    public Object get(String column) {
        return values.get(column);
    }

    public boolean has(String column) {
        return values.containsKey(column);
    }

    public Set<String> columns() {
        return values.keySet();
    }

    /** The values, read-only, in column order. */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row other && other.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
