package io.sluice.engine.debezium;

import io.sluice.config.ByteSize;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.PublicationMode;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.check.TableShape;
import io.sluice.engine.debezium.PostgresCatalog.Problem;
import io.sluice.engine.debezium.PostgresCatalog.TableState;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.event.TableId;
import io.sluice.engine.offset.PipelineId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code sluice check} for a pipeline's PostgreSQL source: everything the pipeline needs from the server, asked over
 * one ordinary connection with catalog queries, creating and changing nothing. Covers what the start-up check
 * refuses ({@link PostgresPreflight}, {@link ReplicationSlotCheck}) and what would fail later inside Debezium: the
 * role's replication right, SELECT on each table, the publication (or the rights to create or extend it), free slots
 * and WAL senders, and the signal table.
 */
public final class PostgresSourceCheck implements ServerCheck {
    /** Lists of tables in a message stop after this many names. */
    private static final int LISTED_TABLES = 10;
    private static final String INVALID_PASSWORD = "28P01";
    private static final String INVALID_AUTHORIZATION = "28000";
    private static final String UNKNOWN_DATABASE = "3D000";

    private final String pipeline;
    private final PostgresSourceConfig source;
    private final OffsetStoreConfig offsets;
    private List<TableShape> captured;
    private boolean connected;

    /** @param offsets the pipeline's offset store, whose table (when in the source database) is never captured */
    public PostgresSourceCheck(String pipeline, PostgresSourceConfig source, OffsetStoreConfig offsets) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.source = Objects.requireNonNull(source, "source");
        this.offsets = offsets;
    }

    @Override
    public String subject() {
        return "postgres " + source.user() + "@" + source.address();
    }

    /**
     * The captured tables that exist, with the columns Sluice reads, once {@link #run()} could read them from the
     * catalog; empty when it could not (the server was unreachable, or a query failed).
     */
    public Optional<List<TableShape>> capturedTables() {
        return Optional.ofNullable(captured);
    }

    /** Whether {@link #run()} could connect to the server. */
    public boolean connected() {
        return connected;
    }

    @Override
    public List<Finding> run() {
        Findings findings = new Findings(pipeline, subject());
        Connection connection;
        try {
            connection = SourceConnections.open(pipeline, source, "check");
        } catch (SQLException e) {
            findings.error("cannot connect as user '" + source.user() + "': " + PostgresPreflight.plainReason(e),
                    connectFix(e));
            findings.skip("no other PostgreSQL check was made, and the captured tables are unknown");
            return findings.list();
        }
        connected = true;
        try (connection) {
            Server server = server(connection);
            findings.ok("connected (PostgreSQL " + server.version() + ")");
            if ("logical".equals(server.walLevel())) {
                findings.ok("wal_level is logical");
            } else {
                findings.error(PostgresPreflight.walLevelProblem(server.walLevel()), PostgresPreflight.WAL_LEVEL_FIX);
            }
            Role role = role(connection);
            checkRole(role, findings);
            List<String> names;
            try {
                names = PostgresCatalog.resolveTables(connection, source, offsets);
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "remove it from source.postgres.tables");
                names = List.of();
            }
            List<TableState> tables = List.of();
            if (names.isEmpty()) {
                findings.error(PostgresPreflight.noTablesMatch(source),
                        "correct source.postgres.tables (names are case-sensitive, as in the catalog)");
                captured = List.of();
            } else {
                tables = PostgresCatalog.inspectTables(connection, names);
                checkTables(tables, role, findings);
                captured = shapes(connection, tables);
            }
            checkPublication(connection, tables, role, findings);
            checkSlot(connection, server, role, findings);
            checkSignalTable(connection, findings);
        } catch (SQLException e) {
            findings.error("a catalog query failed: " + PostgresPreflight.plainReason(e), null);
        }
        return findings.list();
    }

    private static String connectFix(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (state) {
            case INVALID_PASSWORD -> "check source.postgres.user and password";
            case INVALID_AUTHORIZATION -> "check source.postgres.user and password, and that pg_hba.conf lets the"
                    + " user in from this host";
            case UNKNOWN_DATABASE -> "correct source.postgres.database, or create the database";
            default -> "check source.postgres.host and port, and that PostgreSQL listens there (listen_addresses)"
                    + " and lets this host in (pg_hba.conf)";
        };
    }

    // ---- server and role

    private record Server(String version, String walLevel, int maxSlots, int usedSlots, int maxSenders,
            int usedSenders) {
    }

    private static Server server(Connection connection) throws SQLException {
        String sql = "SELECT current_setting('server_version'), current_setting('wal_level'),"
                + " current_setting('max_replication_slots')::int, (SELECT count(*) FROM pg_replication_slots),"
                + " current_setting('max_wal_senders')::int,"
                + " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender')";
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return new Server(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5),
                    rs.getInt(6));
        }
    }

    /**
     * @param replicates why the role may stream from a slot ({@code REPLICATION}, superuser, or the
     *                   {@code rds_replication} role of Amazon RDS), or {@code null} when it may not
     */
    private record Role(String name, boolean superuser, String replicates, boolean mayCreateInDatabase) {
    }

    private static Role role(Connection connection) throws SQLException {
        String sql = "SELECT current_user, r.rolsuper, r.rolreplication,"
                + " EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication'"
                + "   AND pg_has_role(current_user, g.oid, 'MEMBER')),"
                + " has_database_privilege(current_database(), 'CREATE')"
                + " FROM pg_roles r WHERE r.rolname = current_user";
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            String replicates = rs.getBoolean(2) ? "superuser" : rs.getBoolean(3) ? "REPLICATION"
                    : rs.getBoolean(4) ? "member of rds_replication" : null;
            return new Role(rs.getString(1), rs.getBoolean(2), replicates, rs.getBoolean(5));
        }
    }

    private static void checkRole(Role role, Findings findings) {
        if (role.replicates() != null) {
            findings.ok("role '" + role.name() + "' may replicate (" + role.replicates() + ")");
        } else {
            findings.error("role '" + role.name() + "' may not replicate, so it cannot read a replication slot",
                    "ALTER ROLE " + PostgresCatalog.identifier(role.name()) + " REPLICATION");
        }
    }

    // ---- tables

    private static void checkTables(List<TableState> tables, Role role, Findings findings) {
        List<String> fine = new ArrayList<>();
        for (TableState table : tables) {
            if (!table.exists()) {
                findings.error(PostgresPreflight.missingTable(table.name()),
                        "create it, or correct source.postgres.tables");
                continue;
            }
            boolean ok = true;
            if (!table.primaryKey()) {
                findings.error(PostgresPreflight.noPrimaryKey(table.name()),
                        PostgresPreflight.addPrimaryKey(table.name()));
                ok = false;
            }
            if (!table.selectable()) {
                findings.error("role '" + role.name() + "' may not SELECT from table " + table.name()
                        + ", which the snapshot reads", "GRANT SELECT ON " + PostgresCatalog.tableName(table.name())
                        + " TO " + PostgresCatalog.identifier(role.name()));
                ok = false;
            }
            if (ok) {
                fine.add(table.name());
            }
        }
        if (!fine.isEmpty()) {
            findings.ok((fine.size() == tables.size() ? "every captured table (" + fine.size() + ")"
                    : fine.size() + " of " + tables.size() + " captured tables")
                    + " has a primary key and is readable: " + listed(fine));
        }
    }

    private List<TableShape> shapes(Connection connection, List<TableState> tables) throws SQLException {
        List<TableShape> shapes = new ArrayList<>();
        for (TableState table : tables) {
            if (table.exists()) {
                int dot = table.name().indexOf('.');
                shapes.add(new TableShape(new TableId(source.database(), table.name().substring(0, dot),
                        table.name().substring(dot + 1)), PostgresCatalog.columns(connection, table.name(), source)));
            }
        }
        return shapes;
    }

    // ---- publication

    private record Publication(boolean allTables, boolean owned, Set<String> tables) {
    }

    private Optional<Publication> publication(Connection connection) throws SQLException {
        boolean allTables;
        boolean owned;
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT puballtables, pg_has_role(pubowner, 'MEMBER') FROM pg_publication WHERE pubname = ?")) {
            statement.setString(1, source.publication());
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                allTables = rs.getBoolean(1);
                owned = rs.getBoolean(2);
            }
        }
        Set<String> tables = new LinkedHashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            statement.setString(1, source.publication());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new Publication(allTables, owned, tables));
    }

    /**
     * Mirrors what Debezium does at start with {@code publication.autocreate.mode}: creates a missing publication
     * (filtered or for all tables), sets a filtered one's tables to the captured ones when they differ, refuses an
     * all-tables publication in filtered mode, and otherwise uses the publication as it is.
     */
    private void checkPublication(Connection connection, List<TableState> tables, Role role, Findings findings)
            throws SQLException {
        String name = source.publication();
        PublicationMode mode = source.publicationCreate();
        // Debezium adds the signal table to its table filter, so to a filtered publication. Tables that do not exist
        // are reported on their own and left out here.
        Set<String> names = new LinkedHashSet<>();
        tables.stream().filter(TableState::exists).forEach(t -> names.add(t.name()));
        if (source.signalTable() != null) {
            names.add(source.signalTable());
        }
        List<TableState> states = PostgresCatalog.inspectTables(connection, List.copyOf(names)).stream()
                .filter(TableState::exists).toList();
        Set<String> needed = new LinkedHashSet<>();
        states.forEach(t -> needed.add(t.name()));
        Optional<Publication> found = publication(connection);
        String modeName = "publication-create: " + mode.yamlName();
        if (found.isEmpty()) {
            missingPublication(name, mode, modeName, states, role, findings);
            return;
        }
        Publication publication = found.get();
        if (publication.allTables()) {
            if (mode == PublicationMode.FILTERED) {
                findings.error("publication '" + name + "' publishes all tables, which " + modeName
                        + " refuses (Debezium cannot narrow it to the captured tables)",
                        "set source.postgres.publication-create: all-tables, or DROP PUBLICATION "
                                + PostgresCatalog.identifier(name) + " so that Sluice creates a filtered one");
            } else {
                findings.ok("publication '" + name + "' exists and publishes all tables");
            }
            return;
        }
        if (needed.isEmpty()) {
            findings.skip("publication '" + name + "' exists; its tables were not compared, as no captured table"
                    + " was found");
            return;
        }
        List<String> missing = needed.stream().filter(t -> !publication.tables().contains(t)).toList();
        boolean exact = missing.isEmpty() && publication.tables().size() == needed.size();
        if (mode != PublicationMode.FILTERED || exact) {
            if (missing.isEmpty()) {
                findings.ok("publication '" + name + "' exists and publishes every captured table");
            } else {
                findings.error("publication '" + name + "' does not publish " + listed(missing)
                        + ", so their changes would never reach Sluice (" + modeName + " uses it as it is)",
                        "ALTER PUBLICATION " + PostgresCatalog.identifier(name) + " ADD TABLE " + sqlList(missing));
            }
            return;
        }
        // Filtered: Debezium sets the publication's tables to the captured ones, which needs ownership of the
        // publication and of every table added.
        List<String> notOwned = states.stream().filter(t -> missing.contains(t.name()) && !t.owned())
                .map(TableState::name).toList();
        String set = "ALTER PUBLICATION " + PostgresCatalog.identifier(name) + " SET TABLE " + sqlList(needed);
        if ((publication.owned() || role.superuser()) && notOwned.isEmpty()) {
            findings.ok("publication '" + name + "' exists; Sluice sets its tables to the captured ones at start ("
                    + (missing.isEmpty() ? "it publishes other tables too" : "it lacks " + listed(missing)) + ")");
        } else {
            findings.error("publication '" + name + "' " + (missing.isEmpty() ? "publishes other tables too"
                    : "lacks " + listed(missing)) + ", and role '" + role.name() + "' may not change it ("
                    + (publication.owned() ? "it does not own " + listed(notOwned) : "it does not own the publication")
                    + "); with " + modeName + " Sluice sets its tables at start", set + " (as its owner)");
        }
    }

    private static void missingPublication(String name, PublicationMode mode, String modeName,
            List<TableState> states, Role role, Findings findings) {
        String create = "CREATE PUBLICATION " + PostgresCatalog.identifier(name)
                + (mode == PublicationMode.ALL_TABLES ? " FOR ALL TABLES"
                        : " FOR TABLE " + sqlList(states.stream().map(TableState::name).toList()));
        switch (mode) {
            case NEVER -> findings.error("publication '" + name + "' does not exist, and " + modeName
                    + " leaves creating it to you", create);
            case ALL_TABLES -> {
                if (role.superuser()) {
                    findings.ok("publication '" + name + "' does not exist yet; Sluice creates it for all tables ("
                            + modeName + ")");
                } else {
                    findings.error("publication '" + name + "' does not exist, and role '" + role.name()
                            + "' may not create it: a publication for all tables needs a superuser",
                            create + " (as a superuser), or set source.postgres.publication-create: filtered");
                }
            }
            case FILTERED -> {
                List<String> notOwned = states.stream().filter(t -> !t.owned()).map(TableState::name).toList();
                if (states.isEmpty()) {
                    findings.skip("publication '" + name + "' does not exist; whether Sluice may create it was not"
                            + " checked, as no captured table was found");
                } else if (role.mayCreateInDatabase() && notOwned.isEmpty()) {
                    findings.ok("publication '" + name + "' does not exist yet; Sluice creates it for the "
                            + states.size() + " captured table(s) (" + modeName + ")");
                } else {
                    String why = !notOwned.isEmpty() ? "it does not own " + listed(notOwned)
                            : "it lacks CREATE on the database";
                    findings.error("publication '" + name + "' does not exist, and role '" + role.name()
                            + "' may not create it (" + why + ")", create + " (as the tables' owner)");
                }
            }
            default -> throw new IllegalStateException("unknown publication mode " + mode);
        }
    }

    // ---- slot

    private void checkSlot(Connection connection, Server server, Role role, Findings findings) throws SQLException {
        ReplicationSlot slot = ReplicationSlots.inspect(connection, source.slot());
        String name = "replication slot '" + source.slot() + "'";
        if (!slot.exists()) {
            int free = server.maxSlots() - server.usedSlots();
            if (role.replicates() == null) {
                findings.skip(name + " does not exist yet; it cannot be created until the role may replicate");
            } else if (free <= 0) {
                findings.error(name + " does not exist, and all " + server.maxSlots()
                        + " max_replication_slots are taken", "raise max_replication_slots (needs a restart), or"
                        + " drop a slot nothing uses (SELECT pg_drop_replication_slot('<name>'))");
            } else {
                findings.ok(name + " does not exist yet; Sluice creates it on first start (" + free + " of "
                        + server.maxSlots() + " slots free)");
            }
        } else {
            Optional<UnusableSlotException> problem = ReplicationSlotCheck.problem(new PipelineId(pipeline), source,
                    "", Optional.empty(), slot);
            if (problem.isPresent()) {
                findings.error(name + " " + problem.get().detail(), problem.get().dropSlotSql());
            } else if (slot.active()) {
                findings.warn(name + " is in use by server process " + slot.activePid()
                        + ": another reader streams from it, or this pipeline is already running", null);
            } else {
                String confirmed = slot.confirmedFlushLsn() == null ? "" : ", confirmed up to "
                        + Lsn.format(slot.confirmedFlushLsn());
                findings.ok(name + " exists (" + slot.plugin() + confirmed + ")");
            }
            long retained = slot.retainedWalBytes().orElse(0);
            if (problem.isEmpty() && retained > source.walLagWarning().bytes()) {
                findings.warn(name + " holds " + ByteSize.readable(retained) + " of WAL on the server, more than"
                        + " wal-lag-warning (" + source.walLagWarning() + ")", null);
            }
        }
        int freeSenders = server.maxSenders() - server.usedSenders();
        if (freeSenders > 0 || slot.active()) {
            findings.ok(Math.max(0, freeSenders) + " of " + server.maxSenders() + " max_wal_senders free");
        } else {
            findings.error("all " + server.maxSenders() + " max_wal_senders are in use, so Sluice cannot stream",
                    "raise max_wal_senders (needs a restart), or stop a replication client nothing needs");
        }
    }

    // ---- signal table

    private void checkSignalTable(Connection connection, Findings findings) throws SQLException {
        if (source.signalTable() == null) {
            return;
        }
        Optional<Problem> problem = PostgresCatalog.signalTableProblem(connection, source);
        if (problem.isPresent()) {
            findings.error(problem.get().message(), problem.get().fix());
        } else {
            findings.ok("signal table " + source.signalTable() + " exists and the role may read and insert into it");
        }
    }

    private static String listed(List<String> tables) {
        if (tables.size() <= LISTED_TABLES) {
            return String.join(", ", tables);
        }
        return String.join(", ", tables.subList(0, LISTED_TABLES)) + " and " + (tables.size() - LISTED_TABLES)
                + " more";
    }

    private static String sqlList(java.util.Collection<String> tables) {
        return tables.stream().map(PostgresCatalog::tableName).collect(Collectors.joining(", "));
    }
}
