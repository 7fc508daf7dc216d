package io.sluice.engine.debezium;

import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.PipelineException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks before start-up that the source answers, the credentials work, logical decoding is on and every captured
 * table exists with a primary key, so a wrong host, password or table name fails within the connect timeout with a
 * plain message instead of deep inside Debezium. Changes nothing on the server.
 */
public final class PostgresPreflight {
    static final String WAL_LEVEL_FIX = "ALTER SYSTEM SET wal_level = logical (or set it in postgresql.conf),"
            + " then restart PostgreSQL";

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
            String walLevel = PostgresCatalog.walLevel(connection);
            if (!"logical".equals(walLevel)) {
                throw new PipelineException(prefix + where + ": " + walLevelProblem(walLevel) + ". Fix: "
                        + WAL_LEVEL_FIX);
            }
            List<String> tables;
            try {
                tables = PostgresCatalog.resolveTables(connection, source, offsets);
            } catch (IllegalArgumentException e) {
                throw new PipelineException(prefix + source.address() + ": " + e.getMessage(), e);
            }
            if (tables.isEmpty()) {
                throw new PipelineException(prefix + source.address() + ": " + noTablesMatch(source));
            }
            return new CapturedTables(tables,
                    inspectTables(connection, prefix + source.address() + ": ", tables));
        } catch (SQLException e) {
            throw new PipelineException(prefix + "cannot connect to " + where + ": " + plainReason(e), e);
        }
    }

    static String noTablesMatch(PostgresSourceConfig source) {
        return "the tables " + source.tables()
                + (source.excludeTables().isEmpty() ? "" : " without " + source.excludeTables())
                + " match no table; patterns are matched against the catalog at start-up";
    }

    /** Names the server and user for messages; never includes the password. */
    static String where(PostgresSourceConfig source) {
        return "PostgreSQL at " + source.address() + " as user '" + source.user() + "'";
    }

    /**
     * @return the tables with {@code REPLICA IDENTITY FULL}
     * @throws PipelineException listing every table that is missing or has no primary key
     */
    private static Set<String> inspectTables(Connection connection, String prefix, List<String> tables)
            throws SQLException, PipelineException {
        Set<String> fullIdentity = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (PostgresCatalog.TableState table : PostgresCatalog.inspectTables(connection, tables)) {
            if (!table.exists()) {
                problems.add(missingTable(table.name()));
            } else if (!table.primaryKey()) {
                problems.add(noPrimaryKey(table.name()) + ". Add one: " + addPrimaryKey(table.name()));
            } else if (table.fullIdentity()) {
                fullIdentity.add(table.name());
            }
        }
        if (!problems.isEmpty()) {
            throw new PipelineException(prefix + String.join("; ", problems));
        }
        return fullIdentity;
    }

    static String missingTable(String table) {
        return "table " + table + " does not exist (names are case-sensitive, as in the catalog)";
    }

    static String noPrimaryKey(String table) {
        return "table " + table + " has no primary key; Sluice applies changes by primary key";
    }

    static String addPrimaryKey(String table) {
        return "ALTER TABLE " + table + " ADD PRIMARY KEY (...)";
    }

    static String walLevelProblem(String walLevel) {
        return "wal_level is '" + walLevel + "', but change capture needs 'logical'";
    }

    /**
     * Checks that the signal table, when one is set, exists with the three text columns Debezium reads by position
     * (id as primary key, type, data) and that the source's user may read and insert into it: Debezium writes the
     * incremental snapshot's watermarks there.
     */
    public static void checkSignalTable(String pipeline, PostgresSourceConfig source) throws PipelineException {
        if (source.signalTable() == null) {
            return;
        }
        String prefix = "pipeline '" + pipeline + "': " + source.address() + ": ";
        Optional<PostgresCatalog.Problem> problem;
        try (Connection connection = SourceConnections.open(pipeline, source, "preflight")) {
            problem = PostgresCatalog.signalTableProblem(connection, source);
        } catch (SQLException e) {
            throw new PipelineException(prefix + "signal table " + source.signalTable() + " cannot be checked: "
                    + plainReason(e), e);
        }
        if (problem.isPresent()) {
            throw new PipelineException(prefix + problem.get().message() + ". Fix: " + problem.get().fix());
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
