package io.sluice.engine.debezium;

import io.sluice.config.source.DecimalMode;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import java.util.Map;
import java.util.Set;

/**
 * How Sluice writes a PostgreSQL column's values in JSON, from the column's type in the catalog: the type Debezium
 * gives it under the settings of {@link DebeziumProperties} (numerics and money by {@code decimals}, intervals as
 * ISO-8601 text, binary as bytes, hstore as JSON) and then what {@link ValueConverters} makes of that type. Kept
 * beside them so the three agree.
 */
final class PostgresJsonKinds {
    /** Base types by {@code pg_type.typname}; enums and ranges are recognised by their {@code typtype}. */
    private static final Map<String, JsonKind> BASE_TYPES = Map.ofEntries(
            Map.entry("int2", JsonKind.SMALL_INTEGER),
            Map.entry("int4", JsonKind.INTEGER),
            Map.entry("int8", JsonKind.BIG_INTEGER),
            Map.entry("oid", JsonKind.BIG_INTEGER),
            Map.entry("float4", JsonKind.FLOAT),
            Map.entry("float8", JsonKind.FLOAT),
            Map.entry("bool", JsonKind.BOOLEAN),
            Map.entry("date", JsonKind.DATE),
            Map.entry("time", JsonKind.TIME),
            Map.entry("timetz", JsonKind.TIME),
            Map.entry("timestamp", JsonKind.TIMESTAMP),
            Map.entry("timestamptz", JsonKind.TIMESTAMPTZ),
            Map.entry("interval", JsonKind.INTERVAL),
            Map.entry("bytea", JsonKind.BASE64),
            Map.entry("varbit", JsonKind.BASE64),
            Map.entry("json", JsonKind.JSON),
            Map.entry("jsonb", JsonKind.JSON),
            Map.entry("hstore", JsonKind.OBJECT),
            Map.entry("point", JsonKind.OBJECT),
            Map.entry("geometry", JsonKind.OBJECT),
            Map.entry("geography", JsonKind.OBJECT),
            // pgvector's types arrive as arrays of numbers.
            Map.entry("vector", JsonKind.FLOAT),
            Map.entry("halfvec", JsonKind.FLOAT));
    private static final Set<String> VECTORS = Set.of("vector", "halfvec");
    private static final Set<String> TEXT_TYPES = Set.of("text", "varchar", "bpchar", "char", "name", "uuid", "xml",
            "citext", "ltree", "isbn", "inet", "cidr", "macaddr", "macaddr8", "tsvector");
    private static final Set<String> DECIMAL_TYPES = Set.of("numeric", "money");
    private static final String ENUM = "e";
    private static final String RANGE = "r";
    private static final String MULTIRANGE = "m";

    private PostgresJsonKinds() {
    }

    /**
     * @param column      the column's name
     * @param formatted   its type as {@code format_type} writes it, e.g. {@code character varying(20)}
     * @param typeName    {@code typname} of its type (of the base type, for a domain)
     * @param typeType    {@code typtype} of that type ({@code b} base, {@code e} enum, {@code r} range...)
     * @param typmod      the column's {@code atttypmod} (the length of a {@code bit(n)})
     * @param elementName for an array, {@code typname} of the element type; else {@code null}
     * @param elementType for an array, {@code typtype} of the element type; else {@code null}
     */
    static ColumnShape shape(String column, String formatted, String typeName, String typeType, int typmod,
            String elementName, String elementType, DecimalMode decimals) {
        if (elementName != null) {
            return new ColumnShape(column, formatted, kind(elementName, elementType, typmod, decimals), true);
        }
        return new ColumnShape(column, formatted, kind(typeName, typeType, typmod, decimals),
                VECTORS.contains(typeName));
    }

    private static JsonKind kind(String typeName, String typeType, int typmod, DecimalMode decimals) {
        if (ENUM.equals(typeType) || RANGE.equals(typeType) || MULTIRANGE.equals(typeType)
                || TEXT_TYPES.contains(typeName)) {
            return JsonKind.TEXT;
        }
        if (DECIMAL_TYPES.contains(typeName)) {
            return decimals == DecimalMode.STRING ? JsonKind.DECIMAL_STRING : JsonKind.DECIMAL_NUMBER;
        }
        if (typeName.equals("bit")) {
            // Debezium reads bit(1) as a boolean and longer bit strings as bytes.
            return typmod > 1 ? JsonKind.BASE64 : JsonKind.BOOLEAN;
        }
        return BASE_TYPES.getOrDefault(typeName, JsonKind.UNKNOWN);
    }
}
