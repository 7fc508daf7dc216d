package io.sluice.offsets.jdbc;

import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * {@code sluice check} for a {@code jdbc} offset store: the database reached with the store's role, and the offsets
 * table present and usable, or missing and creatable by the role. Creates nothing, unlike opening the store.
 */
public final class JdbcOffsetStoreCheck implements ServerCheck {
    private final String pipeline;
    private final JdbcStoreSettings settings;
    private final OffsetStoreException unusable;

    /** @param source the pipeline's source, whose database and role a store without a URL of its own uses */
    public JdbcOffsetStoreCheck(String pipeline, JdbcOffsetStoreConfig config, PostgresSourceConfig source) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        JdbcStoreSettings read = null;
        OffsetStoreException problem = null;
        try {
            read = JdbcStoreSettings.from(OffsetStores.settings(config, source));
        } catch (OffsetStoreException e) {
            problem = e;
        }
        this.settings = read;
        this.unusable = problem;
    }

    @Override
    public String subject() {
        return settings == null ? "offsets jdbc" : "offsets jdbc " + settings.address() + " " + settings.tableName();
    }

    @Override
    public List<Finding> run() {
        Findings findings = new Findings(pipeline, subject());
        if (unusable != null) {
            findings.error(unusable.getMessage(), "correct the offsets.jdbc settings");
            return findings.list();
        }
        OffsetsTable table = new OffsetsTable(settings);
        Connection connection;
        try {
            connection = connect();
        } catch (SQLException e) {
            findings.error("cannot connect" + (settings.user() == null ? "" : " as user '" + settings.user() + "'")
                    + ": " + SqlErrors.reason(e), "check offsets.jdbc (url, user, password), or the source's"
                    + " connection settings when the offsets live in the source database");
            return findings.list();
        }
        try (connection) {
            String role = connection.getMetaData().getUserName();
            if (!table.schemaExists(connection)) {
                findings.error("schema '" + settings.schema() + "' does not exist", "CREATE SCHEMA "
                        + OffsetsTable.quote(settings.schema()) + ", or set offsets.jdbc.schema to an existing one");
            } else if (table.exists(connection)) {
                List<String> missing = table.missingRights(connection);
                if (!missing.isEmpty()) {
                    findings.error("role '" + role + "' lacks " + String.join(", ", missing) + " on the offsets table",
                            "GRANT USAGE ON SCHEMA " + OffsetsTable.quote(settings.schema()) + " TO "
                                    + OffsetsTable.quote(role) + "; GRANT SELECT, INSERT, UPDATE ON "
                                    + table.qualified() + " TO " + OffsetsTable.quote(role));
                } else if (!table.hasOffsetsColumns(connection)) {
                    findings.error("table " + settings.tableName() + " exists but is not a Sluice offsets table (it"
                            + " lacks the columns pipeline, offsets and saved_at)", "set offsets.jdbc.table to"
                            + " another name");
                } else {
                    findings.ok("table " + settings.tableName() + " exists and role '" + role
                            + "' may read and write it");
                }
            } else if (table.mayCreate(connection)) {
                findings.ok("table " + settings.tableName() + " does not exist yet; Sluice creates it on first start");
            } else {
                findings.error("table " + settings.tableName() + " does not exist, and role '" + role
                        + "' may not create it in schema " + settings.schema(), "GRANT CREATE ON SCHEMA "
                        + OffsetsTable.quote(settings.schema()) + " TO " + OffsetsTable.quote(role)
                        + ", or create it for the role: " + table.definition().replaceAll("\\s*--[^\\n]*", "")
                                .replaceAll("\\s+", " "));
            }
        } catch (SQLException e) {
            findings.error("a catalog query failed: " + SqlErrors.reason(e), null);
        } catch (OffsetStoreException e) {
            findings.error(e.getMessage(), null);
        }
        return findings.list();
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password().reveal());
        }
        long seconds = Math.max(1, (settings.connectTimeout().toMillis() + 999) / 1000);
        properties.setProperty("connectTimeout", Long.toString(seconds));
        properties.setProperty("loginTimeout", Long.toString(seconds));
        properties.setProperty("socketTimeout", Long.toString(seconds * 3));
        properties.setProperty("ApplicationName", "sluice-" + pipeline + "-check");
        return DriverManager.getConnection(settings.url(), properties);
    }
}
