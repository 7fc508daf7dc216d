package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

    private static final String VALID = """
            pipelines:
              - name: orders
                source:
                  postgres:
                    host: localhost
                    database: shop
                    user: sluice
                    password: "${file:SECRET}"
                    slot: sluice_orders
                    publication: sluice_orders
                    tables: [public.orders]
                sinks:
                  - kafka: {bootstrap-servers: "localhost:9092"}
                offsets:
                  file: ./orders.offsets
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int validate(Path file) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("validate", "--config", file.toString());
    }

    private static Path write(Path dir, String yaml) throws IOException {
        Path secret = Files.writeString(dir.resolve("pg-password"), "pw-Secret-3\n");
        return Files.writeString(dir.resolve("pipelines.yaml"), yaml.replace("SECRET", secret.toString()));
    }

    @Test
    void aValidFileNamesItsPipelinesAndExitsZero(@TempDir Path dir) throws IOException {
        Path file = write(dir, VALID);

        assertThat(validate(file)).isZero();
        assertThat(out.toString()).isEqualTo(file + ": valid, 1 pipeline: orders" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void everyProblemIsPrintedWithItsLineAndTheExitCodeIsTwo(@TempDir Path dir) throws IOException {
        Path file = write(dir, VALID.replace("host: localhost", "hots: localhost")
                .replace("slot: sluice_orders", "slot: Sluice-Orders"));

        assertThat(validate(file)).isEqualTo(2);
        assertThat(err.toString())
                .contains(file + ":5:9: pipelines[0].source.postgres.hots: unknown key \"hots\"")
                .contains(file + ":9:")
                .contains("is not a valid replication slot name")
                .doesNotContain("pw-Secret-3")
                .doesNotContain("Exception");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingFileIsAPlainError(@TempDir Path dir) {
        assertThat(validate(dir.resolve("absent.yaml"))).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yaml").contains("file not found");
    }
}
