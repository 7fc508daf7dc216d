package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice check} without servers: an invalid file, and servers that are all unreachable. */
class CheckCommandTest {
    private static final String SECRET = "pw-Secret-3";

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int check(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "check";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Path config() throws IOException {
        return Files.writeString(dir.resolve("pipelines.yaml"), """
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: shop
                        user: sluice
                        password: %s
                        slot: orders_slot
                        publication: orders_pub
                        tables: [public.orders]
                        connect-timeout: 2s
                    sinks:
                      - elasticsearch: {urls: ["http://127.0.0.1:%d"], connect-timeout: 2s,
                                        auth: {username: elastic, password: %s}}
                      - redis: {host: 127.0.0.1, port: %d, password: %s, timeout: 2s}
                    offsets:
                      file: %s
                """.formatted(closedPort(), SECRET, closedPort(), SECRET, closedPort(), SECRET,
                dir.resolve("orders.offsets")));
    }

    @Test
    void anInvalidFileIsReportedAsValidateReportsItWithExitCodeTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "pipelines:\n  - name: orders\n    sauce: {}\n");
        StringWriter validateErr = new StringWriter();
        CommandLine validate = Main.commandLine();
        validate.setOut(new PrintWriter(new StringWriter(), true));
        validate.setErr(new PrintWriter(validateErr, true));

        assertThat(check("--config", file.toString())).isEqualTo(2);
        assertThat(validate.execute("validate", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(validateErr.toString()).contains("unknown key \"sauce\"");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownPipelineIsAUsageError() throws IOException {
        assertThat(check("--config", config().toString(), "--pipeline", "billing")).isEqualTo(2);
        assertThat(err.toString()).contains("has no pipeline 'billing'").contains("'orders'");
    }

    @Test
    void everyUnreachableServerIsOneErrorLineAndWhatDependsOnItIsSkipped() throws IOException {
        assertThat(check("--config", config().toString())).isEqualTo(1);

        String output = out.toString();
        assertThat(output)
                .containsPattern("(?m)^error  orders  postgres sluice@127\\.0\\.0\\.1:\\d+/shop +cannot connect as"
                        + " user 'sluice': .* -- fix: check source\\.postgres\\.host and port")
                .containsPattern("(?m)^skip   orders  postgres .* no other PostgreSQL check was made")
                .containsPattern("(?m)^error  orders  elasticsearch http://127\\.0\\.0\\.1:\\d+ +cannot reach"
                        + " Elasticsearch: .* -- fix: check urls")
                .containsPattern("(?m)^error  orders  redis 127\\.0\\.0\\.1:\\d+/0 +cannot reach Redis: ")
                .containsPattern("(?m)^ok     orders  offsets file .* is writable")
                .containsPattern("(?m)^3 errors, 0 warnings \\(\\d+ ok, \\d+ skipped\\)$")
                .doesNotContain(SECRET)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(output.lines().filter(line -> line.startsWith("error")).count()).isEqualTo(3);
        assertThat(err.toString()).doesNotContain(SECRET);
    }
}
