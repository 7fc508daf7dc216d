package io.sluice.config.source;

import com.fasterxml.jackson.annotation.JsonValue;

/** PostgreSQL's {@code sslmode}, with the same names and meanings. */
public enum SslMode {
    DISABLE("disable"),
    ALLOW("allow"),
    PREFER("prefer"),
    REQUIRE("require"),
    /** Encrypt, and check the server certificate against {@code root-cert}. */
    VERIFY_CA("verify-ca"),
    /** As {@code verify-ca}, and check that the certificate names the host. */
    VERIFY_FULL("verify-full");

    private final String yamlName;

    SslMode(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
