package io.sluice.engine.debezium;

import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.PipelineException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Checks before start-up that the source answers, the credentials work and logical decoding is on, so a wrong
 * host or password fails within the connect timeout with a plain message instead of deep inside Debezium.
 */
public final class PostgresPreflight {
    private PostgresPreflight() {
    }

    public static void check(String pipeline, PostgresSourceConfig source) throws PipelineException {
        String where = "pipeline '" + pipeline + "': PostgreSQL at " + source.address() + " as user '"
                + source.user() + "'";
        Properties props = new Properties();
        props.setProperty("user", source.user());
        if (source.password() != null) {
            props.setProperty("password", source.password().reveal());
        }
        String timeout = Long.toString(Math.max(1, source.connectTimeout().toSeconds()));
        props.setProperty("connectTimeout", timeout);
        props.setProperty("loginTimeout", timeout);
        props.setProperty("socketTimeout", Long.toString(Math.max(1, source.connectTimeout().toSeconds()) * 3));
        props.setProperty("ApplicationName", "sluice-" + pipeline + "-preflight");
        String url = "jdbc:postgresql://" + source.host() + ":" + source.port() + "/" + source.database();
        try (Connection connection = DriverManager.getConnection(url, props);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW wal_level")) {
            rs.next();
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                throw new PipelineException(where + ": wal_level is '" + walLevel
                        + "', but change capture needs 'logical'. Set wal_level = logical in postgresql.conf"
                        + " (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
            }
        } catch (SQLException e) {
            throw new PipelineException("cannot connect to " + where + ": " + plainReason(e), e);
        }
    }

    /** The server's or driver's own words, without the severity prefix and without a stack trace. */
    static String plainReason(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceFirst("^(FATAL|ERROR):\\s+", "");
    }
}
