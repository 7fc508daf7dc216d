package io.sluice.engine.debezium;

import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.transform.TableNames;
import io.sluice.engine.PipelineException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks before start-up that the source answers, the credentials work, logical decoding is on and every captured
 * table exists with a primary key, so a wrong host, password or table name fails within the connect timeout with a
 * plain message instead of deep inside Debezium. Changes nothing on the server.
 */
public final class PostgresPreflight {
    private PostgresPreflight() {
    }

    /**
     * @param offsets where the pipeline keeps its offsets: a table of the source database is never captured
     * @return the captured tables, patterns resolved, each checked to exist with a primary key
     */
    public static CapturedTables check(String pipeline, PostgresSourceConfig source, OffsetStoreConfig offsets)
            throws PipelineException {
        String prefix = "pipeline '" + pipeline + "': ";
        String where = where(source);
        try (Connection connection = SourceConnections.open(pipeline, source, "preflight")) {
            String walLevel = walLevel(connection);
            if (!"logical".equals(walLevel)) {
                throw new PipelineException(prefix + where + ": wal_level is '" + walLevel
                        + "', but change capture needs 'logical'. Set wal_level = logical in postgresql.conf"
                        + " (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
            }
            List<String> tables;
            try {
                tables = resolveTables(source, offsetsTable(offsets), () -> catalogTables(connection));
            } catch (IllegalArgumentException e) {
                throw new PipelineException(prefix + source.address() + ": " + e.getMessage(), e);
            }
            if (tables.isEmpty()) {
                throw new PipelineException(prefix + source.address() + ": the tables " + source.tables()
                        + (source.excludeTables().isEmpty() ? "" : " without " + source.excludeTables())
                        + " match no table; patterns are matched against the catalog at start-up");
            }
            return new CapturedTables(tables,
                    inspectTables(connection, prefix + source.address() + ": ", tables));
        } catch (SQLException e) {
            throw new PipelineException(prefix + "cannot connect to " + where + ": " + plainReason(e), e);
        }
    }

    /** Names the server and user for messages; never includes the password. */
    static String where(PostgresSourceConfig source) {
        return "PostgreSQL at " + source.address() + " as user '" + source.user() + "'";
    }

    private static String walLevel(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW wal_level")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The tables of the source database, as {@code schema.table}. */
    interface Catalog {
        List<String> tables() throws SQLException;
    }

    /** The {@code schema.table} of the pipeline's offsets table when it lives in the source database, else null. */
    static String offsetsTable(OffsetStoreConfig offsets) {
        return offsets instanceof JdbcOffsetStoreConfig jdbc && jdbc.inSourceDatabase()
                ? jdbc.schema() + "." + jdbc.table() : null;
    }

    /**
     * The source's table names and patterns, expanded against the catalog, without the excluded ones and without
     * the pipeline's own offsets table: captured, every offset save would reach the sinks as a change, whose
     * delivery saves the offset again.
     *
     * @param offsetsTable the pipeline's offsets table in the source database, or null
     * @throws IllegalArgumentException when the offsets table is named explicitly
     */
    static List<String> resolveTables(PostgresSourceConfig source, String offsetsTable, Catalog catalog)
            throws SQLException {
        List<String> tables = null;
        Set<String> resolved = new LinkedHashSet<>();
        for (String entry : source.tables()) {
            if (!entry.contains("*")) {
                if (entry.equals(offsetsTable)) {
                    throw new IllegalArgumentException("table " + entry + " is this pipeline's offsets table"
                            + " (offsets: jdbc); capturing it would send every offset save to the sinks as a change."
                            + " Remove it from source.postgres.tables");
                }
                resolved.add(entry);
                continue;
            }
            if (tables == null) {
                tables = catalog.tables();
            }
            tables.stream().filter(TableNames.matcher(entry)).filter(table -> !table.equals(offsetsTable))
                    .forEach(resolved::add);
        }
        for (String excluded : source.excludeTables()) {
            resolved.removeIf(TableNames.matcher(excluded));
        }
        return List.copyOf(resolved);
    }

    /** Every ordinary and partitioned table outside PostgreSQL's own schemas, as {@code schema.table}, in name order. */
    private static List<String> catalogTables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        String sql = "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
                + " ORDER BY 1";
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    private static Set<String> inspectTables(Connection connection, String prefix, List<String> tables)
            throws SQLException, PipelineException {
        Set<String> fullIdentity = new HashSet<>();
        List<String> problems = new ArrayList<>();
        String sql = "SELECT c.relreplident,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND n.nspname = ? AND c.relname = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String table : tables) {
                int dot = table.indexOf('.');
                statement.setString(1, table.substring(0, dot));
                statement.setString(2, table.substring(dot + 1));
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        problems.add("table " + table + " does not exist (names are case-sensitive, as in the catalog)");
                    } else if (!rs.getBoolean(2)) {
                        problems.add("table " + table + " has no primary key; Sluice applies changes by primary key."
                                + " Add one: ALTER TABLE " + table + " ADD PRIMARY KEY (...)");
                    } else if ("f".equals(rs.getString(1))) {
                        fullIdentity.add(table);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new PipelineException(prefix + String.join("; ", problems));
        }
        return fullIdentity;
    }

    /**
     * Checks that the signal table, when one is set, exists with the three text columns Debezium reads by position
     * (id as primary key, type, data) and that the source's user may read and insert into it: Debezium writes the
     * incremental snapshot's watermarks there.
     */
    public static void checkSignalTable(String pipeline, PostgresSourceConfig source) throws PipelineException {
        String table = source.signalTable();
        if (table == null) {
            return;
        }
        String prefix = "pipeline '" + pipeline + "': " + source.address() + ": signal table " + table;
        String create = "CREATE TABLE " + table + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL,"
                + " data text)";
        String sql = "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary"
                + "   AND i.indnatts = 1 AND i.indkey[0] = a.attnum),"
                + " has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE c.relkind IN ('r', 'p') AND n.nspname = ? AND c.relname = ? ORDER BY a.attnum";
        List<String> columns = new ArrayList<>();
        boolean textColumns = true;
        boolean idIsKey = false;
        boolean mayWrite = false;
        int dot = table.indexOf('.');
        try (Connection connection = SourceConnections.open(pipeline, source, "preflight");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, table.substring(0, dot));
            statement.setString(2, table.substring(dot + 1));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1) + " " + rs.getString(2));
                    textColumns &= rs.getString(2).startsWith("character varying") || rs.getString(2).equals("text");
                    idIsKey |= columns.size() == 1 && rs.getBoolean(3);
                    mayWrite = rs.getBoolean(4);
                }
            }
        } catch (SQLException e) {
            throw new PipelineException(prefix + ": cannot be checked: " + plainReason(e), e);
        }
        if (columns.isEmpty()) {
            throw new PipelineException(prefix + " does not exist. Create it: " + create);
        }
        if (columns.size() != 3 || !textColumns || !idIsKey) {
            throw new PipelineException(prefix + " has columns (" + String.join(", ", columns) + "), but Debezium"
                    + " needs exactly three text columns, the first the primary key: id, type, data. Create it as: "
                    + create);
        }
        if (!mayWrite) {
            throw new PipelineException(prefix + ": user '" + source.user() + "' may not read and insert into it;"
                    + " the incremental snapshot writes its watermarks there. GRANT SELECT, INSERT ON " + table
                    + " TO " + source.user());
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
