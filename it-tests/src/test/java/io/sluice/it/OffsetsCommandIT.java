package io.sluice.it;

import static io.sluice.it.OrdersPipeline.assertPlain;
import static io.sluice.it.OrdersPipeline.id;
import static io.sluice.it.OrdersPipeline.snapshotReads;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.event.Lsn;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice offsets show|reset} through the packaged command line, against real PostgreSQL and Kafka. */
class OffsetsCommandIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
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
    void showOnANeverStartedPipelineSaysItSnapshotsFirst() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "fresh", dir);

        Outcome text = offsets("show", "--config", p.config.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.output()).contains("pipeline 'fresh'")
                .containsPattern("stored position +none")
                .contains("'fresh_slot' on 127.0.0.1:" + postgres.port() + "/fresh does not exist")
                .contains("creates the slot, then snapshots the tables");

        JsonNode json = json(offsets("show", "--config", p.config.toString(), "--json"));
        JsonNode pipeline = json.path("pipelines").path(0);
        assertThat(pipeline.path("pipeline").asText()).isEqualTo("fresh");
        assertThat(pipeline.path("stored").isNull()).isTrue();
        assertThat(pipeline.path("slot").path("known").asBoolean()).isTrue();
        assertThat(pipeline.path("slot").path("exists").asBoolean()).isFalse();
    }

    @Test
    void afterAStopShowPrintsTheStoredLsnOfTheFileAndTheSlotsConfirmedLsn() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "shown", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events()) {
            p.runWhile(() -> {
                events.awaitCount(3, WAIT);
                f.sql("UPDATE orders SET status = 'paid' WHERE id = 1");
                events.awaitCount(4, WAIT);
            });
        }
        long fileLsn = storedValue(f).path("lsn").asLong();
        long confirmed = Lsn.parse(f.sqlValue("SELECT confirmed_flush_lsn FROM pg_replication_slots"
                + " WHERE slot_name = 'shown_slot'"));

        JsonNode pipeline = json(offsets("show", "--config", p.config.toString(), "--json"))
                .path("pipelines").path(0);
        assertThat(pipeline.path("stored").path("lsn_num").asLong()).isEqualTo(fileLsn);
        assertThat(pipeline.path("stored").path("lsn").asText()).isEqualTo(Lsn.format(fileLsn));
        assertThat(pipeline.path("stored").path("value")).isEqualTo(storedValue(f));
        JsonNode slot = pipeline.path("slot");
        assertThat(slot.path("exists").asBoolean()).isTrue();
        assertThat(slot.path("active").asBoolean()).isFalse();
        assertThat(slot.path("plugin").asText()).isEqualTo("pgoutput");
        assertThat(slot.path("confirmed_flush_lsn_num").asLong()).isEqualTo(confirmed);
        assertThat(slot.path("confirmed_flush_lsn").asText()).isEqualTo(Lsn.format(confirmed));
        assertThat(slot.path("wal_status").asText()).isEqualTo("reserved");
        assertThat(slot.path("retained_wal_bytes").asLong()).isNotNegative();
        assertThat(pipeline.path("problem").isNull()).isTrue();
        // Invariant M, as the operator sees it.
        assertThat(confirmed).isLessThanOrEqualTo(pipeline.path("stored").path("commit_lsn_num").asLong());

        Outcome text = offsets("show", "--config", p.config.toString(), "--pipeline", "shown");
        assertThat(text.exitCode()).isZero();
        assertThat(text.output())
                .containsPattern("LSN +" + Lsn.format(fileLsn) + " \\(" + fileLsn + "\\)")
                .containsPattern("confirmed LSN +" + Lsn.format(confirmed))
                .containsPattern("active +no")
                .contains("resumes streaming at");
    }

    @Test
    void resetToSnapshotMakesTheNextStartReadEveryRowAgainWithoutLosingChanges() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "resnap", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events()) {
            p.runWhile(() -> events.awaitCount(3, WAIT));
            String before = storedValue(f).toString();
            f.sql("UPDATE orders SET status = 'changed while stopped' WHERE id = 1",
                    "INSERT INTO orders VALUES (4, 'inserted while stopped')");

            Outcome reset = offsets("reset", "--config", p.config.toString(), "--pipeline", "resnap", "--snapshot",
                    "--yes");
            assertThat(reset.exitCode()).as(reset.output()).isZero();
            assertThat(reset.output()).contains("snapshots every captured table again")
                    .contains(before.substring(0, 20)).contains("To undo");
            assertThat(Files.readString(f.offsets)).doesNotContain("sluice-resnap");

            p.runWhile(() -> {
                events.awaitUntil(r -> snapshotReads(r, 1) == 2 && snapshotReads(r, 4) == 1, WAIT,
                        "a second snapshot");
                f.sql("INSERT INTO orders VALUES (5, 'after')");
                events.awaitUntil(r -> r.stream().anyMatch(e -> id(e) == 5), WAIT, "the insert after the snapshot");
            });
            List<Received> all = events.drain(Duration.ofMillis(500));
            for (int id = 1; id <= 3; id++) {
                assertThat(snapshotReads(all, id)).as("snapshot reads of row %d", id).isEqualTo(2);
            }
            assertThat(latest(all, 1).after().path("status").asText()).isEqualTo("changed while stopped");
            assertThat(latest(all, 4).after().path("status").asText()).isEqualTo("inserted while stopped");
            assertThat(latest(all, 5).op()).isEqualTo("c");
        }
    }

    @Test
    void resetToALaterLsnSkipsTheChangesBeforeItAndDeliversThoseAfter() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "forward", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events()) {
            p.runWhile(() -> events.awaitCount(3, WAIT));
            f.sql("INSERT INTO orders VALUES (10, 'skipped')");
            String lsn = f.sqlValue("SELECT pg_current_wal_lsn()");
            f.sql("INSERT INTO orders VALUES (11, 'delivered')");

            Outcome reset = offsets("reset", "--config", p.config.toString(), "--pipeline", "forward", "--to-lsn",
                    Long.toString(Lsn.parse(lsn)), "--yes");
            assertThat(reset.exitCode()).as(reset.output()).isZero();
            assertThat(reset.output()).contains("FORWARD").contains("SKIPPED").contains("resumes streaming at " + lsn);
            assertThat(storedValue(f).path("lsn_proc").asLong()).isEqualTo(Lsn.parse(lsn));

            p.runWhile(() -> {
                events.awaitUntil(r -> r.stream().anyMatch(e -> id(e) == 11), WAIT, "the insert after the LSN");
                f.sql("INSERT INTO orders VALUES (12, 'later')");
                events.awaitUntil(r -> r.stream().anyMatch(e -> id(e) == 12), WAIT, "an insert after the restart");
            });
            List<Received> all = events.drain(Duration.ofMillis(500));
            assertThat(all.stream().filter(e -> id(e) == 10)).as("the insert before the LSN").isEmpty();
            assertThat(latest(all, 11).op()).isEqualTo("c");
            assertThat(all.stream().filter(e -> !e.isTombstone() && e.op().equals("r"))).hasSize(3);
        }
        assertThat(storedValue(f).path("lsn_commit").asLong()).isGreaterThan(0);
    }

    @Test
    void resetToAnLsnBeforeTheSlotsConfirmedPositionIsRefused() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "behind", dir);
        SluiceFixture f = p.fixture;
        f.sql("SELECT pg_create_logical_replication_slot('behind_slot', 'pgoutput')");
        long confirmed = Lsn.parse(f.sqlValue("SELECT confirmed_flush_lsn FROM pg_replication_slots"
                + " WHERE slot_name = 'behind_slot'"));

        Outcome reset = offsets("reset", "--config", p.config.toString(), "--pipeline", "behind", "--to-lsn",
                Lsn.format(confirmed - 1), "--yes");

        assertThat(reset.exitCode()).isEqualTo(3);
        assertThat(reset.output()).contains("before the confirmed position " + Lsn.format(confirmed))
                .contains("--snapshot");
        assertPlain(reset);
        assertThat(f.offsets).doesNotExist();
    }

    @Test
    void resetAsksBeforeChangingAnythingAndNeedsYesWithoutATerminal() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "confirm", dir);
        SluiceFixture f = p.fixture;
        f.sql("SELECT pg_create_logical_replication_slot('confirm_slot', 'pgoutput')");
        String lsn = f.sqlValue("SELECT pg_current_wal_lsn()");
        String[] reset = {"offsets", "reset", "--config", p.config.toString(), "--pipeline", "confirm", "--to-lsn",
            lsn};

        Outcome noTerminal = SluiceProcess.run(Map.of(), 60, reset);
        assertThat(noTerminal.exitCode()).isEqualTo(2);
        assertThat(noTerminal.output()).contains("nothing changed").contains("--yes");
        assertThat(f.offsets).doesNotExist();

        Outcome declined = SluiceProcess.runOnTerminal("no\n", 60, reset);
        assertThat(declined.exitCode()).as(declined.output()).isEqualTo(2);
        assertThat(declined.output()).contains("Type yes to reset the offsets of pipeline 'confirm'")
                .contains("nothing changed");
        assertThat(f.offsets).doesNotExist();

        Outcome confirmed = SluiceProcess.runOnTerminal("yes\n", 60, reset);
        assertThat(confirmed.exitCode()).as(confirmed.output()).isZero();
        assertThat(confirmed.output()).contains("resumes streaming at " + lsn);
        assertThat(storedValue(f).path("lsn_proc").asLong()).isEqualTo(Lsn.parse(lsn));
    }

    @Test
    void resetWhileThePipelineRunsIsRefused() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "running", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events();
                RunningSluice sluice = RunningSluice.start(p.config, dir.resolve("running.log"))) {
            events.awaitCount(3, WAIT);
            sluice.awaitSlotActive(f, WAIT);

            Outcome reset = offsets("reset", "--config", p.config.toString(), "--pipeline", "running", "--snapshot",
                    "--yes");

            assertThat(reset.exitCode()).isEqualTo(3);
            assertThat(reset.output()).contains("pipeline 'running'").contains("is active")
                    .contains("Stop it first").contains("Nothing changed");
            assertPlain(reset);
            assertThat(Files.readString(f.offsets)).contains("sluice-running");
            sluice.stop();
        }
    }

    @Test
    void anUnreachableSourceGivesAPlainMessageWithTheStoredPart() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "offline", dir);
        SluiceFixture f = p.fixture;
        Files.writeString(f.offsets, """
                {"pipeline":"offline","offsets":{"[\\"sluice-offline\\",{\\"server\\":\\"offline\\"}]":
                "{\\"lsn_proc\\":26365256,\\"lsn_commit\\":26365256,\\"lsn\\":26365256,\\"txId\\":730}"}}
                """);
        int closed = FreePorts.pick();
        Path config = dir.resolve("offline.yaml");
        Files.writeString(config, f.yaml("public.orders", "connect-timeout: 3s")
                .replace("port: " + postgres.port(), "port: " + closed));

        Outcome show = offsets("show", "--config", config.toString());
        assertThat(show.exitCode()).isZero();
        assertThat(show.output()).contains("0/1924D48 (26365256)").contains("unknown")
                .contains("127.0.0.1:" + closed);
        assertPlain(show);

        Outcome reset = offsets("reset", "--config", config.toString(), "--pipeline", "offline", "--snapshot",
                "--yes");
        assertThat(reset.exitCode()).isEqualTo(3);
        assertThat(reset.output()).contains("pipeline 'offline'").contains("127.0.0.1:" + closed)
                .contains("Nothing changed");
        assertPlain(reset);
        assertThat(Files.readString(f.offsets)).contains("26365256");
    }

    /** Debezium's offset value for the pipeline, as the offsets file holds it. */
    private static JsonNode storedValue(SluiceFixture f) throws Exception {
        JsonNode offsets = JSON.readTree(Files.readString(f.offsets)).path("offsets");
        String key = "[\"sluice-" + f.name + "\",{\"server\":\"" + f.name + "\"}]";
        assertThat(offsets.has(key)).as("offsets file holds " + key + ": " + offsets).isTrue();
        return JSON.readTree(offsets.path(key).asText());
    }

    private static Outcome offsets(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "offsets";
        System.arraycopy(args, 0, all, 1, args.length);
        return SluiceProcess.run(Map.of(), 60, all);
    }

    private static JsonNode json(Outcome outcome) throws Exception {
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        return JSON.readTree(outcome.output().substring(outcome.output().indexOf('{')));
    }

    private static Received latest(List<Received> events, int id) {
        return events.stream().filter(e -> id(e) == id && !e.isTombstone()).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no event for row " + id));
    }
}
