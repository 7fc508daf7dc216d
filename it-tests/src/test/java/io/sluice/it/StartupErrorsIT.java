package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong servers and credentials fail fast through the real command line, with a message and no stack trace. */
class StartupErrorsIT {
    private static final String SECRET = "s3cr3t-do-not-print";
    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        postgres.createDatabase("shop");
        postgres.createRole("sluice", SECRET, true);
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void wrongPasswordFailsWithinSecondsNamingPipelineAndServer() throws Exception {
        Outcome outcome = run(config("127.0.0.1", postgres.port(), "${PG_PASSWORD}"),
                Map.of("PG_PASSWORD", "wrong-" + SECRET));

        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.output())
                .contains("pipeline 'orders'")
                .contains("PostgreSQL at 127.0.0.1:" + postgres.port() + "/shop as user 'sluice'")
                .contains("password authentication failed");
        assertPlain(outcome);
    }

    @Test
    void unknownHostFailsWithinSecondsNamingIt() throws Exception {
        Outcome outcome = run(config("no-such-host.invalid", 5432, SECRET), Map.of());

        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.output()).contains("pipeline 'orders'").contains("no-such-host.invalid");
        assertPlain(outcome);
    }

    @Test
    void closedPortFailsWithinSecondsNamingTheServer() throws Exception {
        int closed = FreePorts.pick();
        Outcome outcome = run(config("127.0.0.1", closed, SECRET), Map.of());

        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.output()).contains("pipeline 'orders'").contains("127.0.0.1:" + closed);
        assertPlain(outcome);
    }

    @Test
    void aTakenAdminPortFailsAtOnceNamingAddressAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Outcome outcome = run(config("127.0.0.1", postgres.port(), SECRET)
                    .replace(SluiceFixture.ADMIN_ON_ANY_PORT, "admin: {port: " + port + "}"), Map.of());

            assertThat(outcome.exitCode()).isEqualTo(3);
            assertThat(outcome.output()).contains("admin endpoint: cannot listen on 127.0.0.1:" + port)
                    .contains("admin.port");
            assertPlain(outcome);
        }
    }

    @Test
    void invalidConfigurationExitsWithUsageCodeAndTheFileLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, config("127.0.0.1", postgres.port(), SECRET).replace("tables:", "tabels:"));

        Outcome outcome = SluiceProcess.run(Map.of(), 30, "run", "--config", file.toString());

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.output()).contains("bad.yaml:").contains("tabels").contains("did you mean \"tables\"");
        assertPlain(outcome);
    }

    private Outcome run(String yaml, Map<String, String> env) throws Exception {
        Path file = dir.resolve("pipelines.yaml");
        Files.writeString(file, yaml);
        Outcome outcome = SluiceProcess.run(env, 60, "run", "--config", file.toString());
        assertThat(outcome.millis()).as("failed within seconds").isLessThan(20_000);
        return outcome;
    }

    private static void assertPlain(Outcome outcome) {
        assertThat(outcome.output())
                .doesNotContain(SECRET)
                .doesNotContain("Exception")
                .doesNotContainPattern("\\n\\s+at [a-z]+\\.");
    }

    private String config(String host, int port, String password) {
        return """
                %s
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: %s
                        port: %d
                        database: shop
                        user: sluice
                        password: %s
                        slot: sluice_orders
                        publication: sluice_orders
                        tables: [public.orders]
                        connect-timeout: 5s
                    sinks:
                      - kafka:
                          bootstrap-servers: %s
                    offsets:
                      file: %s
                """.formatted(SluiceFixture.ADMIN_ON_ANY_PORT, host, port, password, kafka.bootstrapServers(),
                dir.resolve("orders.offsets"));
    }
}
