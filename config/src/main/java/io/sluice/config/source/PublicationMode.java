package io.sluice.config.source;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether Sluice creates the publication when it is missing, and for which tables. */
public enum PublicationMode {
    /** Create it for the captured tables (needs ownership of the tables, or superuser). */
    FILTERED("filtered"),
    /** Create it {@code FOR ALL TABLES} (needs superuser); changes of other tables are read and discarded. */
    ALL_TABLES("all-tables"),
    /** Never create it: a database administrator creates it beforehand; start-up fails when it is missing. */
    NEVER("never");

    private final String yamlName;

    PublicationMode(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
