package io.sluice.engine.debezium;

import io.sluice.config.source.PostgresSourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens short-lived, ordinary (non-replication) JDBC connections to the source for Sluice's own checks, bounded by
 * the source's connect timeout and named in {@code pg_stat_activity} by pipeline and purpose.
 */
final class SourceConnections {
    private SourceConnections() {
    }

    /**
     * @param purpose what the connection is for, e.g. {@code wal-monitor}; ends its application name
     */
    static Connection open(String pipeline, PostgresSourceConfig source, String purpose) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", source.user());
        if (source.password() != null) {
            props.setProperty("password", source.password().reveal());
        }
        long timeout = Math.max(1, source.connectTimeout().toSeconds());
        props.setProperty("connectTimeout", Long.toString(timeout));
        props.setProperty("loginTimeout", Long.toString(timeout));
        props.setProperty("socketTimeout", Long.toString(timeout * 3));
        props.setProperty("ApplicationName", "sluice-" + pipeline + "-" + purpose);
        props.setProperty("sslmode", source.tls().mode().yamlName());
        if (source.tls().rootCert() != null) {
            props.setProperty("sslrootcert", source.tls().rootCert().toAbsolutePath().toString());
        }
        return DriverManager.getConnection(
                "jdbc:postgresql://" + source.host() + ":" + source.port() + "/" + source.database(), props);
    }
}
