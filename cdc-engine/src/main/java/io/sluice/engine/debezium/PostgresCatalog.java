package io.sluice.engine.debezium;

import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.transform.TableNames;
import io.sluice.engine.check.ColumnShape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What the source's catalog says about the captured tables, read with plain queries on an open connection: shared by
 * the start-up check ({@link PostgresPreflight}) and {@code sluice check} ({@link PostgresSourceCheck}), which decide
 * differently what to do with it. Reads only.
 */
final class PostgresCatalog {
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

    private PostgresCatalog() {
    }

    /**
     * One captured table as the catalog has it, for the current role.
     *
     * @param name         {@code schema.table}
     * @param exists       whether it is an ordinary or partitioned table; every other field is false when not
     * @param primaryKey   whether it has a primary key
     * @param fullIdentity whether it has {@code REPLICA IDENTITY FULL}
     * @param selectable   whether the role may SELECT from it
     * @param owned        whether the role owns it (or is a member of its owner, or superuser): needed to add it to a
     *                     publication
     */
    record TableState(String name, boolean exists, boolean primaryKey, boolean fullIdentity, boolean selectable,
            boolean owned) {
    }

    /** A problem found in the catalog: what is wrong, and the statement or setting that fixes it. */
    record Problem(String message, String fix) {
    }

    static String walLevel(Connection connection) throws SQLException {
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

    /**
     * The source's table names and patterns, expanded against the catalog, without the excluded ones and without
     * the pipeline's own offsets table: captured, every offset save would reach the sinks as a change, whose
     * delivery saves the offset again.
     *
     * @throws IllegalArgumentException when the offsets table is named explicitly
     */
    static List<String> resolveTables(Connection connection, PostgresSourceConfig source, OffsetStoreConfig offsets)
            throws SQLException {
        return resolveTables(source, offsetsTable(offsets), () -> catalogTables(connection));
    }

    /** The {@code schema.table} of the pipeline's offsets table when it lives in the source database, else null. */
    static String offsetsTable(OffsetStoreConfig offsets) {
        return offsets instanceof JdbcOffsetStoreConfig jdbc && jdbc.inSourceDatabase()
                ? jdbc.schema() + "." + jdbc.table() : null;
    }

    /** @param offsetsTable the pipeline's offsets table in the source database, or null */
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

    /** Each table's state, in the order given. */
    static List<TableState> inspectTables(Connection connection, List<String> tables) throws SQLException {
        List<TableState> states = new ArrayList<>();
        String sql = "SELECT c.relreplident,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),"
                + " has_table_privilege(c.oid, 'SELECT'), pg_has_role(c.relowner, 'MEMBER')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND n.nspname = ? AND c.relname = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String table : tables) {
                int dot = table.indexOf('.');
                statement.setString(1, table.substring(0, dot));
                statement.setString(2, table.substring(dot + 1));
                try (ResultSet rs = statement.executeQuery()) {
                    states.add(rs.next()
                            ? new TableState(table, true, rs.getBoolean(2), "f".equals(rs.getString(1)),
                                    rs.getBoolean(3), rs.getBoolean(4))
                            : new TableState(table, false, false, false, false, false));
                }
            }
        }
        return states;
    }

    /**
     * The columns of a table that Sluice reads, in table order: those the source's {@code include-columns} and
     * {@code exclude-columns} let through, primary key columns always.
     */
    static List<ColumnShape> columns(Connection connection, String table, PostgresSourceConfig source)
            throws SQLException {
        Predicate<String> included = source.includeColumns().isEmpty() ? name -> true
                : TableNames.anyMatcher(source.includeColumns());
        Predicate<String> excluded = source.excludeColumns().isEmpty() ? name -> false
                : TableNames.anyMatcher(source.excludeColumns());
        // Domains are read as their base type and arrays by their element type, as Debezium converts them.
        String sql = "SELECT a.attname, format_type(a.atttypid, a.atttypmod), bt.typname, bt.typtype, a.atttypmod,"
                + " et.typname, et.typtype,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary"
                + "   AND a.attnum = ANY (i.indkey))"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " JOIN pg_type t ON t.oid = a.atttypid"
                + " JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
                + " LEFT JOIN pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem"
                + " WHERE c.relkind IN ('r', 'p') AND n.nspname = ? AND c.relname = ? ORDER BY a.attnum";
        List<ColumnShape> columns = new ArrayList<>();
        int dot = table.indexOf('.');
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, table.substring(0, dot));
            statement.setString(2, table.substring(dot + 1));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    String qualified = table + "." + column;
                    if (rs.getBoolean(8) || (included.test(qualified) && !excluded.test(qualified))) {
                        columns.add(PostgresJsonKinds.shape(column, rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7), source.decimals()));
                    }
                }
            }
        }
        return columns;
    }

    /**
     * What keeps the signal table, when one is set, from serving: Debezium reads three text columns by position (id
     * as primary key, type, data), and the source's user must read and insert into it, since Debezium writes the
     * incremental snapshot's watermarks there.
     */
    static Optional<Problem> signalTableProblem(Connection connection, PostgresSourceConfig source)
            throws SQLException {
        String table = source.signalTable();
        if (table == null) {
            return Optional.empty();
        }
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
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
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
        }
        if (columns.isEmpty()) {
            return Optional.of(new Problem("signal table " + table + " does not exist", create));
        }
        if (columns.size() != 3 || !textColumns || !idIsKey) {
            return Optional.of(new Problem("signal table " + table + " has columns (" + String.join(", ", columns)
                    + "), but Debezium needs exactly three text columns, the first the primary key: id, type, data",
                    "drop it and create it as: " + create));
        }
        if (!mayWrite) {
            return Optional.of(new Problem("signal table " + table + ": user '" + source.user() + "' may not read and"
                    + " insert into it; the incremental snapshot writes its watermarks there",
                    "GRANT SELECT, INSERT ON " + table + " TO " + identifier(source.user())));
        }
        return Optional.empty();
    }

    /** An identifier as SQL must write it: as is when plain lower case, else double-quoted. */
    static String identifier(String name) {
        return PLAIN_IDENTIFIER.matcher(name).matches() ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code schema.table} with each part written as SQL must write it. */
    static String tableName(String qualified) {
        int dot = qualified.indexOf('.');
        return identifier(qualified.substring(0, dot)) + "." + identifier(qualified.substring(dot + 1));
    }
}
