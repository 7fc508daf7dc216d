package io.sluice.bench.env;

import io.sluice.it.support.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/**
 * The database every run starts from: {@value #NAME}, created afresh for each run with the {@code orders} table, and
 * the role Sluice logs in as ({@value #ROLE}, with {@code REPLICATION} and a password, owner of the table so that
 * Sluice can create its publication).
 */
public final class BenchDatabase {
    public static final String NAME = "bench";
    public static final String ROLE = "sluice";
    public static final String TABLE = "orders";

    private static final String CREATE_TABLE = "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int,"
            + " status text, amount numeric(12,2), note text, updated_at timestamptz)";

    private final LocalPostgres postgres;
    private final String password = "bench-" + UUID.randomUUID().toString().substring(0, 8);

    private BenchDatabase(LocalPostgres postgres) {
        this.postgres = postgres;
    }

    /** Creates the role; the database comes with {@link #recreate}. */
    public static BenchDatabase on(LocalPostgres postgres) {
        BenchDatabase database = new BenchDatabase(postgres);
        postgres.createRole(ROLE, database.password, true);
        return database;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    /** The role's password, handed to Sluice through the environment. */
    public String password() {
        return password;
    }

    /** Drops the database with its replication slots, and creates it again with an empty {@code orders} table. */
    public void recreate() {
        dropSlots();
        postgres.execute(LocalPostgres.SUPERUSER, "DROP DATABASE IF EXISTS " + NAME + " WITH (FORCE)");
        postgres.createDatabase(NAME);
        postgres.execute(NAME, CREATE_TABLE, "ALTER TABLE orders OWNER TO " + ROLE,
                "GRANT CREATE ON DATABASE " + NAME + " TO " + ROLE);
    }

    /**
     * Drops every replication slot of the database, ending the connections that use them first: a slot left behind
     * would keep all the WAL the following runs write.
     */
    public void dropSlots() {
        try (Connection connection = postgres.connect(LocalPostgres.SUPERUSER);
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                    + " WHERE database = '" + NAME + "' AND active_pid IS NOT NULL");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (true) {
                try (ResultSet slots = statement.executeQuery("SELECT count(*) FROM pg_replication_slots"
                        + " WHERE database = '" + NAME + "' AND active")) {
                    slots.next();
                    if (slots.getLong(1) == 0) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replication slots of database " + NAME + " on "
                            + postgres.name() + " stayed in use for 30 s");
                }
                Thread.sleep(50);
            }
            statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = '" + NAME + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the replication slots of database " + NAME + " on "
                    + postgres.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dropping replication slots", e);
        }
    }

    /** Waits until Sluice streams from replication slot {@code slot} ({@link LocalPostgres#streamsFrom}). */
    public void awaitStreaming(String slot, Duration timeout, SluiceChild sluice) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!postgres.streamsFrom(slot)) {
                sluice.requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Sluice did not start streaming from slot " + slot + " within "
                            + timeout.toSeconds() + " s; the end of " + sluice.log() + ":\n" + sluice.tail());
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read replication slot " + slot + " on " + postgres.name()
                    + ": " + e.getMessage(), e);
        }
    }

    /** A new connection to the database as the superuser, in autocommit mode; the caller closes it. */
    public Connection connect() throws SQLException {
        return postgres.connect(NAME);
    }

    /** {@code pg_current_wal_insert_lsn()} as a number. */
    public static long walInsertLsn(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
            result.next();
            return result.getLong(1);
        }
    }
}
