package io.sluice.config.sink;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a sink that holds rows does when a captured table is truncated. */
public enum TruncateAction {
    /** Remove the table's rows from the target (as of the truncate's version, so replays stay correct). */
    DELETE("delete"),
    /** Leave the target as it is; the truncate is counted and logged. */
    IGNORE("ignore");

    private final String yamlName;

    TruncateAction(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
