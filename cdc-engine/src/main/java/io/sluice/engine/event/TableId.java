package io.sluice.engine.event;

import java.util.Objects;

/** Identity of a captured table. */
public record TableId(String database, String schema, String table) {
    public TableId {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    /** {@code schema.table}, the name users write in configuration. */
    public String qualifiedName() {
        return schema + "." + table;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
