package io.sluice.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LocalPostgresIT {

    private static LocalPostgres postgres;

    @BeforeAll
    static void startServer() {
        postgres = LocalPostgres.start();
    }

    @AfterAll
    static void closeServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = PostgresBinaries.class, names = {"SYSTEM", "EMBEDDED"})
    void startsWithLogicalDecodingAndAcceptsReplicationConnections(PostgresBinaries binaries) throws SQLException {
        assumeTrue(binaries != PostgresBinaries.SYSTEM || systemBinariesInstalled(),
                "this machine has no PostgreSQL server binaries");
        try (LocalPostgres server = LocalPostgres.start(binaries)) {
            assertThat(server.binaries()).isEqualTo(binaries);
            if (binaries == PostgresBinaries.EMBEDDED) {
                assertThat(server.majorVersion()).as("version of the zonky binaries").isEqualTo(18);
            }
            try (Connection connection = server.connect("postgres");
                 Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SHOW wal_level")).isEqualTo("logical");
                assertThat(single(statement, "SHOW server_version_num"))
                        .startsWith(String.valueOf(server.majorVersion()));
                assertThat(single(statement,
                        "SELECT slot_name FROM pg_create_logical_replication_slot('sluice_test', 'pgoutput')"))
                        .isEqualTo("sluice_test");
            }
            try (Connection replication = replicationConnection(server, server.superuser(), null);
                 Statement statement = replication.createStatement();
                 ResultSet system = statement.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(system.next()).isTrue();
                assertThat(system.getString("systemid")).isNotBlank();
            }
        }
    }

    @Test
    void roleWithPasswordLogsInWithItAndIsRejectedWithAWrongOne() throws SQLException {
        postgres.createRole("sluice_reader", "right-secret", true);

        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "sluice_reader",
                "right-secret")) {
            assertThat(connection.isValid(5)).isTrue();
        }
        try (Connection replication = replicationConnection(postgres, "sluice_reader", "right-secret")) {
            assertThat(replication.isValid(5)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("postgres"), "sluice_reader",
                "wrong-secret").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> replicationConnection(postgres, "sluice_reader", "wrong-secret").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void createsDatabasesAndRunsStatementsInThem() throws SQLException {
        postgres.createDatabase("inventory");
        postgres.execute("inventory", "CREATE TABLE item (id int PRIMARY KEY, name text)",
                "INSERT INTO item VALUES (1, 'pump')");

        try (Connection connection = postgres.connect("inventory");
             Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT name FROM item WHERE id = 1")).isEqualTo("pump");
        }
    }

    @Test
    void restartKeepsDataAndPort() throws SQLException {
        try (LocalPostgres server = LocalPostgres.start()) {
            int port = server.port();
            server.execute("postgres", "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (7)");

            server.restart();

            assertThat(server.port()).isEqualTo(port);
            assertThat(server.isRunning()).isTrue();
            try (Connection connection = server.connect("postgres");
                 Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SELECT id FROM kept")).isEqualTo("7");
            }
        }
    }

    @Test
    void killedServerRestartsWithItsCommittedRowsAndSlots() throws SQLException {
        try (LocalPostgres server = LocalPostgres.start()) {
            server.execute("postgres", "CREATE TABLE committed (id int)", "INSERT INTO committed VALUES (1)",
                    "SELECT pg_create_logical_replication_slot('survivor', 'pgoutput')");

            server.kill();
            assertThat(server.isRunning()).isFalse();
            server.restart();

            try (Connection connection = server.connect("postgres");
                 Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SELECT count(*) FROM committed")).isEqualTo("1");
                assertThat(single(statement, "SELECT slot_name FROM pg_replication_slots")).isEqualTo("survivor");
            }
        }
    }

    @Test
    void closedServerNoLongerListens() {
        LocalPostgres server = LocalPostgres.start();
        int port = server.port();

        server.close();
        server.close();

        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.host(), port), 1000);
            }
        }).isInstanceOf(IOException.class);
    }

    private static boolean systemBinariesInstalled() {
        try {
            PostgresInstallation.locate(PostgresBinaries.SYSTEM);
            return true;
        } catch (LocalServerException e) {
            return false;
        }
    }

    private static Connection replicationConnection(LocalPostgres server, String user, String password)
            throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("replication", "database");
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("preferQueryMode", "simple");
        return DriverManager.getConnection(server.jdbcUrl("postgres"), properties);
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).as("a row from %s", sql).isTrue();
            return result.getString(1);
        }
    }
}
