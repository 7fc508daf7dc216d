package io.sluice.engine.check;

import java.util.Objects;

/**
 * A column as it reaches the sinks: its name after transforms, and how its values are written.
 *
 * @param name       the field name sinks see (renamed by transforms, if so)
 * @param sourceType the PostgreSQL type as the catalog writes it, e.g. {@code timestamp with time zone}; for a
 *                   masked or hashed column, says so
 * @param kind       how each value (each element, for an array) is written in JSON
 * @param array      whether the column is an array, written as a JSON array of such values
 */
public record ColumnShape(String name, String sourceType, JsonKind kind, boolean array) {
    public ColumnShape {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(kind, "kind");
    }
}
