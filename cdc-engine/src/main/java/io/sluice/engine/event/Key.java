package io.sluice.engine.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A row's primary key as a structured value: key column name to value, in key column order. Values follow the
 * same JSON-friendly rules as {@link Row}. Empty for events without a row (truncate).
 */
public record Key(Map<String, Object> columns) {
    private static final Key NONE = new Key(Map.of());

    public Key {
        Objects.requireNonNull(columns, "columns");
        columns = columns.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    public static Key none() {
        return NONE;
    }

    public boolean isEmpty() {
        return columns.isEmpty();
    }
}
