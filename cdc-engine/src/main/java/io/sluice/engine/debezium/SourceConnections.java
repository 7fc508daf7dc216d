package io.sluice.engine.debezium;

import io.sluice.config.source.PostgresSourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Plain JDBC connections to a pipeline's source, for the checks Sluice makes before start-up and for the offsets
 * commands: the configured credentials, with the connect timeout bounding every wait.
 */
final class SourceConnections {
    private SourceConnections() {
    }

    /**
     * @param purpose shows in {@code pg_stat_activity.application_name} as {@code sluice-<pipeline>-<purpose>}
     */
    static Connection open(String pipeline, PostgresSourceConfig source, String purpose) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", source.user());
        if (source.password() != null) {
            props.setProperty("password", source.password().reveal());
        }
        long timeoutSeconds = Math.max(1, source.connectTimeout().toSeconds());
        props.setProperty("connectTimeout", Long.toString(timeoutSeconds));
        props.setProperty("loginTimeout", Long.toString(timeoutSeconds));
        props.setProperty("socketTimeout", Long.toString(timeoutSeconds * 3));
        props.setProperty("ApplicationName", "sluice-" + pipeline + "-" + purpose);
        String url = "jdbc:postgresql://" + source.host() + ":" + source.port() + "/" + source.database();
        return DriverManager.getConnection(url, props);
    }

    /** Names the server and user for messages; never includes the password. */
    static String describe(PostgresSourceConfig source) {
        return "PostgreSQL at " + source.address() + " as user '" + source.user() + "'";
    }
}
