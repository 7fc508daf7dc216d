package io.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server with logical decoding on, listening on 127.0.0.1 at a free port, with its data in a
 * fresh temporary directory.
 *
 * <p>Authentication: the superuser {@value #SUPERUSER} is trusted without a password; every other role must log in
 * over TCP with its password (SCRAM-SHA-256), so tests can prove that a wrong password is rejected. Both rules cover
 * replication connections.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM runs as root the server runs as the system account
 * {@value OsAccount#DEFAULT_NAME}, created on first use, which then owns the data directory.
 */
public final class LocalPostgres implements LocalServer {

    /** The superuser created by initdb; it needs no password. */
    public static final String SUPERUSER = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    private static final int LOG_TAIL_LINES = 40;

    private final PostgresInstallation installation;
    private final ProcessLauncher launcher;
    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private ServerProcess process;
    private ShutdownCleanup shutdownCleanup;
    private boolean closed;

    private LocalPostgres(PostgresInstallation installation, ProcessLauncher launcher, Path workDir, int port) {
        this.installation = installation;
        this.launcher = launcher;
        this.workDir = workDir;
        this.dataDir = workDir.resolve("data");
        this.logFile = workDir.resolve("postgres.log");
        this.port = port;
    }

    /** Starts a server with the binaries chosen by the {@value PostgresBinaries#PROPERTY} system property. */
    public static LocalPostgres start() {
        return start(PostgresBinaries.fromSystemProperty());
    }

    /** Starts a server with the given binaries. */
    public static LocalPostgres start(PostgresBinaries binaries) {
        Instant begin = Instant.now();
        PostgresInstallation installation = PostgresInstallation.locate(binaries);
        ProcessLauncher launcher = OsAccount.currentUserIsRoot()
                ? ProcessLauncher.as(OsAccount.ensureSystemAccount(OsAccount.DEFAULT_NAME))
                : ProcessLauncher.asCurrentUser();
        int port = FreePorts.pick();
        LocalPostgres server = new LocalPostgres(installation, launcher, WorkDirectory.create("sluice-postgres-run-"),
                port);
        server.shutdownCleanup = ShutdownCleanup.register(server.name(), server::discard);
        try {
            server.initialise();
            server.launch();
        } catch (RuntimeException e) {
            server.abandon();
            throw e;
        }
        LOG.info("PostgreSQL {} ({} binaries in {}) ready on {}:{} in {} ms", installation.majorVersion(),
                installation.origin().name().toLowerCase(Locale.ROOT), installation.binDir(), HOST,
                server.port, Duration.between(begin, Instant.now()).toMillis());
        return server;
    }

    @Override
    public String name() {
        return "postgres-" + port;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The name of the superuser, which logs in without a password. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The major version of the running binaries, e.g. 15 or 18. */
    public int majorVersion() {
        return installation.majorVersion();
    }

    /** Where the binaries came from; {@link PostgresBinaries#AUTO} resolves to one of the other two. */
    public PostgresBinaries binaries() {
        return installation.origin();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** A new connection to {@code database} as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /**
     * Whether a client streams from replication slot {@code slot}: the WAL sender holding it has started replication
     * ({@code pg_stat_replication.state} is {@code catchup} or {@code streaming}). A slot is in use already while the
     * snapshot that follows its creation runs (its sender is in {@code startup} then), and rows written meanwhile may
     * be read by the snapshot and streamed as well.
     */
    public boolean streamsFrom(String slot) throws SQLException {
        try (Connection connection = connect(SUPERUSER);
                PreparedStatement query = connection.prepareStatement("SELECT r.state IN ('catchup', 'streaming')"
                        + " FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid"
                        + " WHERE s.slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet result = query.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    /** Runs each statement, in its own transaction, on {@code database} as the superuser. */
    public void execute(String database, String... statements) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new LocalServerException("failed on " + name() + "/" + database + ": " + sql, e);
                }
            }
        } catch (SQLException e) {
            throw new LocalServerException("could not connect to " + jdbcUrl(database), e);
        }
    }

    public void createDatabase(String database) {
        execute(SUPERUSER, "CREATE DATABASE " + quoteIdentifier(database));
    }

    /**
     * Creates a login role that must authenticate with {@code password} (stored as a SCRAM-SHA-256 verifier), with
     * the REPLICATION attribute if asked. Table privileges are left to the caller.
     */
    public void createRole(String role, String password, boolean replication) {
        execute(SUPERUSER, "CREATE ROLE " + quoteIdentifier(role) + " LOGIN PASSWORD " + quoteLiteral(password)
                + (replication ? " REPLICATION" : ""));
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        CommandResult fast = pgCtlStop("fast");
        if (!fast.succeeded() && process.isAlive()) {
            LOG.warn("{}: fast shutdown failed, shutting down immediately: {}", name(), fast.output());
            pgCtlStop("immediate");
        }
        if (!process.awaitExit(SHUTDOWN_TIMEOUT)) {
            kill();
        }
    }

    @Override
    public synchronized void kill() {
        if (process != null) {
            // Backends outlive a killed postmaster for a moment and keep its shared memory attached, which would
            // make the next start fail; so the whole tree goes.
            process.killTree(SHUTDOWN_TIMEOUT);
        }
    }

    @Override
    public synchronized void restart() {
        requireOpen();
        Instant begin = Instant.now();
        stop();
        launch();
        LOG.info("{} restarted in {} ms", name(), Duration.between(begin, Instant.now()).toMillis());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            abandon();
        }
    }

    private void initialise() {
        if (launcher.account().isPresent()) {
            WorkDirectory.requireTraversableByOthers(workDir);
            launcher.account().get().takeOwnership(workDir);
        }
        Path initdbLog = workDir.resolve("initdb.log");
        CommandResult initdb = launcher.run(List.of(installation.program("initdb").toString(),
                "--pgdata=" + dataDir, "--username=" + SUPERUSER, "--auth=trust", "--encoding=UTF8",
                "--locale=C", "--no-sync"), workDir, COMMAND_TIMEOUT);
        write(initdbLog, initdb.output(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        if (!initdb.succeeded()) {
            throw new LocalServerException("initdb failed for " + name() + " with exit code " + initdb.exitCode()
                    + "\n" + WorkDirectory.tail(initdbLog, LOG_TAIL_LINES));
        }
        // Appended settings override initdb's defaults, since the last occurrence of a setting wins.
        write(dataDir.resolve("postgresql.conf"), String.join("\n", "",
                "# Sluice local test server",
                "listen_addresses = '" + HOST + "'",
                "port = " + port,
                "unix_socket_directories = '" + workDir + "'",
                "wal_level = logical",
                "max_replication_slots = 10",
                "max_wal_senders = 10",
                "password_encryption = 'scram-sha-256'",
                // Test data need not survive a machine crash; a process crash (kill()) loses nothing either way,
                // as commits still reach the OS before they are acknowledged.
                "fsync = off",
                "full_page_writes = off",
                ""), StandardOpenOption.APPEND);
        write(dataDir.resolve("pg_hba.conf"), String.join("\n",
                "# TYPE DATABASE     USER             ADDRESS         METHOD",
                "local  all          all                              trust",
                "local  replication  all                              trust",
                "host   all          " + SUPERUSER + "  127.0.0.1/32    trust",
                "host   replication  " + SUPERUSER + "  127.0.0.1/32    trust",
                "host   all          all              127.0.0.1/32    scram-sha-256",
                "host   replication  all              127.0.0.1/32    scram-sha-256",
                ""), StandardOpenOption.TRUNCATE_EXISTING);
    }

    private void launch() {
        process = new ServerProcess(launcher.startServer(
                List.of(installation.program("postgres").toString(), "-D", dataDir.toString()), workDir, logFile));
        awaitReady();
    }

    private void awaitReady() {
        Deadline deadline = Deadline.in(STARTUP_TIMEOUT);
        SQLException lastFailure = null;
        while (!deadline.hasPassed()) {
            if (!process.isAlive()) {
                throw startFailure("exited with code " + process.exitCode(), lastFailure);
            }
            try {
                connect(SUPERUSER).close();
                return;
            } catch (SQLException e) {
                lastFailure = e;
            }
            deadline.pause(POLL_INTERVAL);
        }
        throw startFailure("did not accept connections within " + STARTUP_TIMEOUT.toSeconds() + " s", lastFailure);
    }

    private LocalServerException startFailure(String what, Exception cause) {
        return new LocalServerException("PostgreSQL " + installation.majorVersion() + " (" + name() + ") " + what
                + "\n" + WorkDirectory.tail(logFile, LOG_TAIL_LINES), cause);
    }

    private CommandResult pgCtlStop(String mode) {
        return launcher.run(List.of(installation.program("pg_ctl").toString(), "stop", "-D", dataDir.toString(),
                "-m", mode, "-w", "-t", String.valueOf(SHUTDOWN_TIMEOUT.toSeconds())), workDir, COMMAND_TIMEOUT);
    }

    /** Last-resort cleanup, also run by the shutdown hook: no graceful shutdown, just kill and delete. */
    private synchronized void discard() {
        closed = true;
        kill();
        WorkDirectory.deleteRecursively(workDir);
    }

    private void abandon() {
        discard();
        shutdownCleanup.cancel();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
    }

    private static void write(Path file, String text, StandardOpenOption... options) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, options);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    private static String quoteIdentifier(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String quoteLiteral(String literal) {
        return "'" + literal.replace("'", "''") + "'";
    }
}
