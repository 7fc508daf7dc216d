package io.sluice.config.source;

import com.fasterxml.jackson.annotation.JsonValue;

/** How exact {@code numeric}/{@code decimal} values are written. Both are lossless; neither is ever bytes. */
public enum DecimalMode {
    /** A JSON string holding the exact decimal, e.g. {@code "12.50"}: safe for every JSON consumer. */
    STRING("string"),
    /** A JSON number with every digit kept, e.g. {@code 12.50}; consumers that parse to double may round it. */
    NUMBER("number");

    private final String yamlName;

    DecimalMode(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
