package io.sluice.engine.check;

/**
 * How Sluice writes the values of a source column in its event JSON (and so in Elasticsearch documents and Redis
 * values): what a target's schema must accept. See the value rules of the event JSON in the sinks' codec.
 */
public enum JsonKind {
    /** {@code smallint}: JSON integers within 16 bits. */
    SMALL_INTEGER("JSON integers"),
    /** {@code integer}: JSON integers within 32 bits. */
    INTEGER("JSON integers"),
    /** {@code bigint}, {@code oid}: JSON integers within 64 bits. */
    BIG_INTEGER("JSON integers (64 bits)"),
    /** {@code real}, {@code double precision}: JSON numbers; NaN and the infinities as strings. */
    FLOAT("JSON numbers"),
    /** {@code numeric}, {@code money} with {@code decimals: string} (the default): the exact digits as a string. */
    DECIMAL_STRING("strings of exact digits like \"12.50\""),
    /** {@code numeric}, {@code money} with {@code decimals: number}: exact JSON numbers. */
    DECIMAL_NUMBER("exact JSON numbers like 12.50"),
    /** {@code boolean}, {@code bit(1)}. */
    BOOLEAN("true or false"),
    /** Text of any kind: {@code text}, {@code varchar}, {@code uuid}, enums, {@code inet}, ranges, {@code xml}... */
    TEXT("strings"),
    /** {@code date}: {@code "2024-02-29"}. */
    DATE("dates like \"2024-02-29\""),
    /** {@code time}, {@code timetz}: {@code "13:45:10.123456"}, zoned ones in UTC with {@code Z}. */
    TIME("times of day like \"13:45:10.123456\""),
    /** {@code timestamp}: {@code "2024-02-29T13:45:10.123456"}, without a zone. */
    TIMESTAMP("timestamps like \"2024-02-29T13:45:10.123456\""),
    /** {@code timestamptz}: {@code "2024-02-29T11:45:10.123456Z"}, in UTC. */
    TIMESTAMPTZ("UTC timestamps like \"2024-02-29T11:45:10.123456Z\""),
    /** {@code interval}: ISO-8601, {@code "P1Y2M3DT4H5M6.78S"}. */
    INTERVAL("ISO-8601 durations like \"P1DT2H\""),
    /** {@code bytea}, {@code bit(n)}, {@code varbit}: base64 strings. */
    BASE64("base64 strings"),
    /** {@code json}, {@code jsonb}: the value itself, which may be an object, array, string, number or boolean. */
    JSON("JSON values of any type"),
    /** {@code hstore}, {@code point}, PostGIS geometries: JSON objects. */
    OBJECT("JSON objects"),
    /** A type Sluice cannot say how it is written; not checked against targets. */
    UNKNOWN("values of a type Sluice does not know");

    private final String written;

    JsonKind(String written) {
        this.written = written;
    }

    /** How the values look, for messages: e.g. {@code dates like "2024-02-29"}. */
    public String written() {
        return written;
    }
}
