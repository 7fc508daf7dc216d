package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The offsets commands' arguments, checked before anything is read or written; no server is needed. */
class OffsetsCommandTest {
    private static final String STORED = """
            {"pipeline":"orders","saved_at":"2026-11-22T07:44:52Z","offsets":{
              "[\\"sluice-orders\\",{\\"server\\":\\"orders\\"}]":
              "{\\"lsn_proc\\":26365256,\\"lsn_commit\\":26365256,\\"lsn\\":26365256,\\"txId\\":730}"}}
            """;

    @TempDir
    Path dir;
    private Path config;
    private Path offsets;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void writeConfigWithAnUnreachableSource() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        offsets = dir.resolve("orders.offsets");
        config = dir.resolve("pipelines.yaml");
        Files.writeString(config, """
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: shop
                        user: sluice
                        slot: orders_slot
                        publication: orders_pub
                        tables: [public.orders]
                        connect-timeout: 2s
                    sinks:
                      - kafka:
                          bootstrap-servers: 127.0.0.1:9
                    offsets:
                      file: %s
                  - name: billing
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: shop
                        user: sluice
                        slot: billing_slot
                        publication: billing_pub
                        tables: [public.invoices]
                    sinks:
                      - kafka:
                          bootstrap-servers: 127.0.0.1:9
                    offsets:
                      file: %s
                """.formatted(closedPort, offsets, closedPort, dir.resolve("billing.offsets")));
    }

    @Test
    void resetNeedsEitherSnapshotOrAnLsn() {
        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--pipeline", "orders")).isEqualTo(2);
        assertThat(err.toString()).contains("--snapshot").contains("--to-lsn");
    }

    @Test
    void resetTakesSnapshotOrAnLsnNotBoth() {
        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--pipeline", "orders", "--snapshot",
                "--to-lsn", "0/10")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void resetNeedsThePipelineNamed() {
        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--snapshot")).isEqualTo(2);
        assertThat(err.toString()).contains("--pipeline");
    }

    @Test
    void aMalformedLsnIsAUsageErrorShowingBothAcceptedForms() {
        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--pipeline", "orders",
                "--to-lsn", "16/XYZ")).isEqualTo(2);
        assertThat(err.toString()).contains("'16/XYZ' is not an LSN").contains("16/B374D848").contains("decimal");
    }

    @Test
    void anUnknownPipelineIsAUsageErrorListingTheConfiguredOnes() {
        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--pipeline", "ordrs", "--snapshot"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("no pipeline 'ordrs'").contains("'orders', 'billing'");

        assertThat(sluice("offsets", "show", "--config", config.toString(), "--pipeline", "ordrs")).isEqualTo(2);
    }

    @Test
    void anInvalidConfigurationIsAUsageError() throws IOException {
        Files.writeString(config, Files.readString(config).replace("tables:", "tabels:"));

        assertThat(sluice("offsets", "show", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("tabels");
    }

    @Test
    void resetRefusesWhenTheSourceCannotConfirmThePipelineIsStopped() throws IOException {
        Files.writeString(offsets, STORED);

        assertThat(sluice("offsets", "reset", "--config", config.toString(), "--pipeline", "orders", "--to-lsn",
                "26365300", "--yes")).isEqualTo(3);
        assertThat(err.toString()).contains("pipeline 'orders'").contains("Nothing changed")
                .doesNotContain("Exception");
        assertThat(Files.readString(offsets)).isEqualTo(STORED);
    }

    @Test
    void showPrintsTheStoredPositionWhenTheSourceIsUnreachable() throws IOException {
        Files.writeString(offsets, STORED);

        assertThat(sluice("offsets", "show", "--config", config.toString(), "--pipeline", "orders")).isZero();
        assertThat(out.toString()).contains("pipeline 'orders'").contains("0/1924D48 (26365256)")
                .containsPattern("transaction +730").containsPattern("state +unknown: .*cannot read the state")
                .doesNotContain("billing");
    }

    @Test
    void helpListsTheOffsetsCommands() {
        assertThat(sluice("--help")).isZero();
        assertThat(out.toString()).contains("offsets");
        assertThat(sluice("offsets", "--help")).isZero();
        assertThat(out.toString()).contains("show").contains("reset");
    }

    private int sluice(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
