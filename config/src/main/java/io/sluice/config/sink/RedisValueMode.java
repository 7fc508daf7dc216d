package io.sluice.config.sink;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the Redis sink stores a row under its key. */
public enum RedisValueMode {
    /** A Redis hash: one field per non-null column, the value as text (strings as they are, others as JSON). */
    HASH("hash"),
    /** A Redis string holding the row as a JSON object, values typed as in Sluice's event JSON. */
    JSON("json");

    private final String yamlName;

    RedisValueMode(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
