package io.sluice.offsets.jdbc;

import io.sluice.engine.offset.OffsetStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The offsets table as the catalog has it, asked with plain queries that change nothing: shared by the store, which
 * then creates the table when missing, and by {@code sluice check}, which only reports.
 */
final class OffsetsTable {
    private static final String SCHEMA_RESOURCE = "V1__offsets.sql";
    private static final String UNDEFINED_COLUMN = "42703";

    private final JdbcStoreSettings settings;
    private final String qualified;

    OffsetsTable(JdbcStoreSettings settings) {
        this.settings = settings;
        this.qualified = quote(settings.schema()) + "." + quote(settings.table());
    }

    /** The table's name as SQL writes it: {@code "schema"."table"}. */
    String qualified() {
        return qualified;
    }

    boolean schemaExists(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            query.setString(1, settings.schema());
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        }
    }

    boolean exists(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            query.setString(1, qualified);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    /** The rights the role lacks to use the existing table, e.g. {@code [INSERT, UPDATE]}; empty when none. */
    List<String> missingRights(Connection connection) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT has_schema_privilege(?, 'USAGE'),"
                + " has_table_privilege(?, 'SELECT'), has_table_privilege(?, 'INSERT'),"
                + " has_table_privilege(?, 'UPDATE')")) {
            query.setString(1, settings.schema());
            query.setString(2, qualified);
            query.setString(3, qualified);
            query.setString(4, qualified);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                String[] rights = {"USAGE on schema " + settings.schema(), "SELECT", "INSERT", "UPDATE"};
                for (int i = 0; i < rights.length; i++) {
                    if (!row.getBoolean(i + 1)) {
                        missing.add(rights[i]);
                    }
                }
            }
        }
        return missing;
    }

    /** Whether the role may create the table in its schema. */
    boolean mayCreate(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT has_schema_privilege(?, 'CREATE')")) {
            query.setString(1, settings.schema());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    /**
     * Whether the existing table has the columns of an offsets table. In a transaction, a false answer leaves it
     * aborted (the probe failed), so the caller rolls back.
     */
    boolean hasOffsetsColumns(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT pipeline, offsets, saved_at FROM " + qualified + " WHERE false").close();
            return true;
        } catch (SQLException e) {
            if (UNDEFINED_COLUMN.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** The statement that creates the table. */
    String definition() throws OffsetStoreException {
        try (InputStream in = OffsetsTable.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new OffsetStoreException("resource " + SCHEMA_RESOURCE + " is missing from Sluice's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{table}", qualified).strip();
        } catch (IOException e) {
            throw new OffsetStoreException("cannot read " + SCHEMA_RESOURCE + " from Sluice's jar", e);
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
