package io.sluice.offsets.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.offsets.OffsetDocument;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Offsets in a PostgreSQL table, one row per pipeline ({@code pipeline}, {@code offsets} as the JSON object of
 * {@link OffsetDocument#offsetsToJson}, {@code saved_at}), through a small HikariCP pool.
 *
 * <p>Every save is one transaction that upserts the pipeline's row with {@code synchronous_commit} on, so it
 * returns only once the commit is flushed (and, where the server has synchronous standbys, confirmed by them),
 * whatever the server's default; a save that fails rolls back and leaves the previous row. Saves are not retried
 * here: Debezium flushes offsets again at its next interval. The table is created on {@link #open} when missing,
 * from {@code V1__offsets.sql}.
 */
public final class JdbcOffsetStore implements OffsetStore {
    /** Two connections: saves come from one thread, and a second lets a command read while the pipeline runs. */
    private static final int POOL_SIZE = 2;
    /** Bounds a statement on a server that stopped answering without closing the connection. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_VALIDATION_TIMEOUT = Duration.ofSeconds(5);
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final JdbcStoreSettings settings;
    private final HikariDataSource pool;
    private final Clock clock;
    private final OffsetsTable table;
    private final String qualifiedTable;

    private JdbcOffsetStore(JdbcStoreSettings settings, HikariDataSource pool, Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.clock = clock;
        this.table = new OffsetsTable(settings);
        this.qualifiedTable = table.qualified();
    }

    /**
     * Connects, creates the table when missing and checks that the role may read and write it.
     *
     * @throws OffsetStoreException naming the table and server, when it cannot connect, the schema is missing, the
     *                              role lacks rights, or the table is not an offsets table
     */
    public static JdbcOffsetStore open(JdbcStoreSettings settings, Clock clock) throws OffsetStoreException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        HikariDataSource pool = new HikariDataSource(poolConfig(settings));
        JdbcOffsetStore store = new JdbcOffsetStore(settings, pool, clock);
        try {
            store.prepareTable();
            return store;
        } catch (OffsetStoreException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static HikariConfig poolConfig(JdbcStoreSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sluice-offsets");
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(settings.url());
        if (settings.user() != null) {
            config.setUsername(settings.user());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password().reveal());
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        long connectMillis = Math.max(250, settings.connectTimeout().toMillis());
        config.setConnectionTimeout(connectMillis);
        config.setValidationTimeout(Math.min(connectMillis, MAX_VALIDATION_TIMEOUT.toMillis()));
        // Open and connect only when asked: open() reports an unreachable server itself, with the table's name.
        config.setInitializationFailTimeout(-1);
        long connectSeconds = Math.max(1, (connectMillis + 999) / 1000);
        config.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
        config.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds));
        config.addDataSourceProperty("socketTimeout", Long.toString(READ_TIMEOUT.toSeconds()));
        config.addDataSourceProperty("ApplicationName", "sluice offsets");
        return config;
    }

    private void prepareTable() throws OffsetStoreException {
        try (Connection connection = pool.getConnection()) {
            try {
                requireSchema(connection);
                if (!tableExists(connection)) {
                    createTable(connection);
                }
                requireRights(connection);
                requireColumns(connection);
                connection.commit();
            } catch (SQLException e) {
                SqlErrors.rollback(connection, e);
                if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw new OffsetStoreException(lacksRights(connection, SqlErrors.reason(e)), e);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new OffsetStoreException("cannot open offsets in " + describe() + ": " + SqlErrors.reason(e), e);
        }
    }

    private void requireSchema(Connection connection) throws SQLException, OffsetStoreException {
        if (!table.schemaExists(connection)) {
            throw new OffsetStoreException("schema '" + settings.schema() + "' does not exist in "
                    + settings.address() + ", so the offsets table " + settings.tableName()
                    + " cannot be kept there; create it (CREATE SCHEMA " + OffsetsTable.quote(settings.schema())
                    + ") or set offsets.jdbc.schema to an existing one");
        }
    }

    private boolean tableExists(Connection connection) throws SQLException {
        return table.exists(connection);
    }

    private void createTable(Connection connection) throws SQLException, OffsetStoreException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(tableDefinition());
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            if (!tableExists(connection)) {
                throw e;
            }
            // Another pipeline created it at the same moment.
        }
    }

    private void requireRights(Connection connection) throws SQLException, OffsetStoreException {
        List<String> missing = table.missingRights(connection);
        if (!missing.isEmpty()) {
            throw new OffsetStoreException(lacksRights(connection, "it lacks " + String.join(", ", missing)));
        }
    }

    private String lacksRights(Connection connection, String detail) throws OffsetStoreException {
        return "role '" + user(connection) + "' may not use or create the offsets table " + settings.tableName()
                + " in " + settings.address() + " (" + detail + "). Grant it USAGE on schema " + settings.schema()
                + " and SELECT, INSERT, UPDATE on the table, and CREATE on schema " + settings.schema()
                + " unless the table is created for it:\n" + tableDefinition();
    }

    private void requireColumns(Connection connection) throws SQLException, OffsetStoreException {
        if (!table.hasOffsetsColumns(connection)) {
            throw new OffsetStoreException("table " + settings.tableName() + " in " + settings.address()
                    + " exists but is not a Sluice offsets table (it lacks the columns pipeline, offsets and"
                    + " saved_at); set offsets.jdbc.table to another name");
        }
    }

    /** The role as the driver knows it, without a query: after a failed statement the transaction is aborted. */
    private String user(Connection connection) {
        try {
            return connection.getMetaData().getUserName();
        } catch (SQLException e) {
            return settings.user() == null ? "(the driver's default)" : settings.user();
        }
    }

    private String tableDefinition() throws OffsetStoreException {
        return table.definition();
    }

    @Override
    public SourceOffsets load(PipelineId pipeline) throws OffsetStoreException {
        String offsets;
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT offsets FROM " + qualifiedTable + " WHERE pipeline = ?")) {
            query.setString(1, pipeline.name());
            try (ResultSet row = query.executeQuery()) {
                offsets = row.next() ? row.getString(1) : null;
            }
            connection.commit();
        } catch (SQLException e) {
            throw new OffsetStoreException("cannot read offsets of pipeline '" + pipeline + "' from " + describe()
                    + ": " + SqlErrors.reason(e), e);
        }
        if (offsets == null) {
            return SourceOffsets.none();
        }
        try {
            return OffsetDocument.offsetsFromJson(offsets);
        } catch (IOException e) {
            throw new OffsetStoreException("the offsets of pipeline '" + pipeline + "' in " + describe()
                    + " are not a JSON object of strings (" + e.getMessage() + "); restore the row, or delete it to"
                    + " start over (which re-snapshots)", e);
        }
    }

    @Override
    public Optional<Instant> savedAt(PipelineId pipeline) throws OffsetStoreException {
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT saved_at FROM " + qualifiedTable + " WHERE pipeline = ?")) {
            query.setString(1, pipeline.name());
            Optional<Instant> savedAt;
            try (ResultSet row = query.executeQuery()) {
                savedAt = row.next() ? Optional.of(row.getObject(1, OffsetDateTime.class).toInstant())
                        : Optional.empty();
            }
            connection.commit();
            return savedAt;
        } catch (SQLException e) {
            throw new OffsetStoreException("cannot read offsets of pipeline '" + pipeline + "' from " + describe()
                    + ": " + SqlErrors.reason(e), e);
        }
    }

    @Override
    public void save(PipelineId pipeline, SourceOffsets offsets) throws OffsetStoreException {
        String json = OffsetDocument.offsetsToJson(offsets);
        OffsetDateTime savedAt = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        try (Connection connection = pool.getConnection()) {
            try {
                try (Statement statement = connection.createStatement()) {
                    // Durable even where the server (or the role, or the database) commits asynchronously.
                    statement.execute("SET LOCAL synchronous_commit = on");
                }
                try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + qualifiedTable
                        + " (pipeline, offsets, saved_at) VALUES (?, ?, ?) ON CONFLICT (pipeline) DO UPDATE"
                        + " SET offsets = EXCLUDED.offsets, saved_at = EXCLUDED.saved_at")) {
                    upsert.setString(1, pipeline.name());
                    upsert.setString(2, json);
                    upsert.setObject(3, savedAt);
                    upsert.executeUpdate();
                }
                connection.commit();
            } catch (SQLException e) {
                SqlErrors.rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new OffsetStoreException("cannot save offsets of pipeline '" + pipeline + "' to " + describe()
                    + ": " + SqlErrors.reason(e), e);
        }
    }

    @Override
    public String describe() {
        return "PostgreSQL table " + settings.tableName() + " in " + settings.address();
    }

    @Override
    public void close() {
        pool.close();
    }
}
