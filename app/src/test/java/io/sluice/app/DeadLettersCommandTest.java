package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.sink.deadletter.FileDeadLetterQueue;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The dead-letter commands on a file target; no server is needed (replays against real sinks are it-tests). */
class DeadLettersCommandTest {
    private static final TableId ORDERS = new TableId("shop", "public", "orders");
    private static final TableId LINES = new TableId("shop", "public", "order_lines");

    @TempDir
    Path dir;
    private Path config;
    private Path letters;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void writeConfigAndLetters() throws Exception {
        config = dir.resolve("pipelines.yaml");
        letters = dir.resolve("orders.dead-letters.jsonl");
        Files.writeString(config, """
                defaults:
                  dead-letter:
                    file: {path: "%s/{pipeline}.dead-letters.jsonl"}
                pipelines:
                  - name: orders
                    source:
                      postgres: {host: 127.0.0.1, database: shop, user: sluice, slot: orders, publication: orders,
                                 tables: [public.orders, public.order_lines]}
                    sinks:
                      - elasticsearch: {urls: ["http://127.0.0.1:9"], on-failure: dead-letter}
                      - redis: {host: 127.0.0.1, port: 9, on-failure: dead-letter}
                    offsets:
                      file: %s/orders.offsets
                  - name: billing
                    source:
                      postgres: {host: 127.0.0.1, database: shop, user: sluice, slot: billing, publication: billing,
                                 tables: [public.invoices]}
                    sinks:
                      - kafka: {bootstrap-servers: "127.0.0.1:9"}
                    offsets:
                      file: %s/billing.offsets
                """.formatted(dir, dir, dir));
        write(Instant.parse("2026-11-22T10:00:00Z"), letter("elasticsearch", ORDERS, 1, "mapping conflict"),
                letter("elasticsearch", ORDERS, 2, "mapping conflict"), letter("redis", LINES, 3, "WRONGTYPE"));
        write(Instant.parse("2026-11-22T11:00:00Z"), letter("elasticsearch", ORDERS, 4, "mapping conflict"));
    }

    @Test
    void listCountsThePendingLettersPerSinkTableAndError() {
        int exit = sluice("dead-letters", "list", "--config", config.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("""
                Pipeline 'orders', dead-letter file %s: 4 pending
                  sink elasticsearch: 3, oldest 2026-11-22T10:00:00Z, newest 2026-11-22T11:00:00Z
                    3 of public.orders, newest 2026-11-22T11:00:00Z: mapping conflict
                  sink redis: 1, at 2026-11-22T10:00:00Z
                    1 of public.order_lines, newest 2026-11-22T10:00:00Z: WRONGTYPE
                Pipeline 'billing', dead-letter file %s: 0 pending
                  sink kafka: none
                """.formatted(letters, dir.resolve("billing.dead-letters.jsonl")));
    }

    @Test
    void listOfOneSinkAsJson() throws IOException {
        int exit = sluice("dead-letters", "list", "--config", config.toString(), "--pipeline", "orders", "--sink",
                "redis", "--json");

        assertThat(exit).as(err.toString()).isZero();
        JsonNode pipeline = OffsetsReport.mapper().readTree(out.toString()).path("pipelines").path(0);
        assertThat(pipeline.path("pending").asLong()).isEqualTo(1);
        assertThat(pipeline.path("sinks")).hasSize(1);
        assertThat(pipeline.at("/sinks/0/groups/0/table").asText()).isEqualTo("public.order_lines");
        assertThat(pipeline.at("/sinks/0/groups/0/error").asText()).isEqualTo("WRONGTYPE");
    }

    @Test
    void aPipelineWithoutTargetHasNoDeadLetters() throws IOException {
        String yaml = Files.readString(config);
        Files.writeString(config, yaml.substring(yaml.indexOf("pipelines:")).replace("on-failure: dead-letter", ""));

        int exit = sluice("dead-letters", "list", "--config", config.toString(), "--pipeline", "billing");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("pipeline 'billing' has no dead-letter target");
    }

    @Test
    void anUnknownSinkIsNamedWithTheSinksThereAre() {
        int exit = sluice("dead-letters", "replay", "--config", config.toString(), "--pipeline", "orders", "--sink",
                "kafka");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("pipeline 'orders' has no sink 'kafka'; its sinks: 'elasticsearch', 'redis'");
    }

    @Test
    void replayRefusesTheFileWhileThePipelineHoldsIt() throws Exception {
        String before = Files.readString(letters);
        try (FileDeadLetterQueue running = new FileDeadLetterQueue("orders", letters, Clock.systemUTC())) {
            running.open();

            int exit = sluice("dead-letters", "replay", "--config", config.toString(), "--pipeline", "orders");

            assertThat(exit).isEqualTo(Main.EXIT_START_FAILED);
        }
        assertThat(err.toString()).contains("replay stopped: dead-letter file " + letters
                + " is in use: pipeline 'orders' is running");
        assertThat(Files.readString(letters)).isEqualTo(before);
    }

    private void write(Instant at, DeadLetter... batch) throws Exception {
        try (FileDeadLetterQueue queue = new FileDeadLetterQueue("orders", letters,
                Clock.fixed(at, ZoneOffset.UTC))) {
            queue.open();
            queue.write(List.of(batch));
        }
    }

    private static DeadLetter letter(String sink, TableId table, int id, String error) {
        ChangeEvent event = new ChangeEvent(table, Op.INSERT, new Key(Map.of("id", id)), null,
                Row.of(Map.of("id", id)), Set.of(), new SourcePosition(100 + id, 200 + id, 7L, null, false), 200 + id);
        return new DeadLetter("orders", sink, event, error);
    }

    private int sluice(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
