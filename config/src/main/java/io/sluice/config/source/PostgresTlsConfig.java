package io.sluice.config.source;

import java.nio.file.Path;

/**
 * TLS to PostgreSQL, for the replication connection and every other connection Sluice opens to the source.
 *
 * @param mode     PostgreSQL's {@code sslmode} (default {@code prefer})
 * @param rootCert PEM file of the CA that signed the server's certificate, for {@code verify-ca} and
 *                 {@code verify-full}
 */
public record PostgresTlsConfig(SslMode mode, Path rootCert) {
    public static final PostgresTlsConfig DEFAULT = new PostgresTlsConfig(null, null);

    public PostgresTlsConfig {
        mode = mode == null ? SslMode.PREFER : mode;
    }
}
