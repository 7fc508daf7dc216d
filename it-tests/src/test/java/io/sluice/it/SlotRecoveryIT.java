package io.sluice.it;

import static io.sluice.it.OrdersPipeline.assertPlain;
import static io.sluice.it.OrdersPipeline.snapshotReads;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up with a replication slot that cannot serve the stored offsets: dropped, invalidated, or not Sluice's.
 * The start fails at once with the recovery steps, and following them brings the pipeline back with a snapshot.
 */
class SlotRecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Ten WAL segment switches with checkpoints invalidate a slot limited to 1 MB within a second or two. */
    private static final int MAX_WAL_SWITCHES = 10;
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
    void aDroppedSlotFailsTheStartWithTheCommandThatRecoversByASnapshot() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "dropped", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events()) {
            p.runWhile(() -> events.awaitCount(3, WAIT));
            f.sql("SELECT pg_drop_replication_slot('dropped_slot')",
                    "INSERT INTO orders VALUES (4, 'while the slot was gone')");

            Outcome start = p.failingStart();

            String recovery = "sluice offsets reset --config " + p.config + " --pipeline dropped --snapshot";
            assertThat(start.exitCode()).isEqualTo(3);
            assertThat(start.output()).contains("pipeline 'dropped'", "replication slot 'dropped_slot'",
                    "PostgreSQL at 127.0.0.1:" + postgres.port() + "/dropped", "does not exist", "lost to Sluice",
                    recovery);
            assertPlain(start);
            assertThat(f.sqlValue("SELECT count(*) FROM pg_replication_slots")).as("no slot created").isEqualTo("0");

            Outcome reset = SluiceProcess.run(Map.of(), 60, (recovery.substring("sluice ".length()) + " --yes")
                    .split(" "));
            assertThat(reset.exitCode()).as(reset.output()).isZero();

            p.runWhile(() -> events.awaitUntil(r -> snapshotReads(r, 1) == 2 && snapshotReads(r, 4) == 1, WAIT,
                    "a second snapshot with the row inserted while the slot was gone"));
            assertThat(f.sqlValue("SELECT plugin FROM pg_replication_slots WHERE slot_name = 'dropped_slot'"))
                    .isEqualTo("pgoutput");
        }
    }

    @Test
    void anInvalidatedSlotFailsTheStartSayingToDropItAndTheStepsRecover() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "lost", dir);
        SluiceFixture f = p.fixture;
        try (KafkaEvents events = f.events()) {
            p.runWhile(() -> events.awaitCount(3, WAIT));
            invalidateSlot(f);

            Outcome start = p.failingStart();

            assertThat(start.exitCode()).isEqualTo(3);
            assertThat(start.output()).contains("pipeline 'lost'", "replication slot 'lost_slot'",
                    "PostgreSQL at 127.0.0.1:" + postgres.port() + "/lost", "invalidated", "wal_status 'lost'",
                    "max_slot_wal_keep_size", "SELECT pg_drop_replication_slot('lost_slot');",
                    "sluice offsets reset --config " + p.config + " --pipeline lost --snapshot");
            assertPlain(start);

            f.sql("SELECT pg_drop_replication_slot('lost_slot')");
            Outcome reset = SluiceProcess.run(Map.of(), 60, "offsets", "reset", "--config", p.config.toString(),
                    "--pipeline", "lost", "--snapshot", "--yes");
            assertThat(reset.exitCode()).as(reset.output()).isZero();
            p.runWhile(() -> events.awaitUntil(r -> snapshotReads(r, 1) == 2 && snapshotReads(r, 100) == 1, WAIT,
                    "a second snapshot with the rows written while the slot was lost"));
        }
    }

    @Test
    void aSlotOfAnotherPluginFailsTheStart() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "plugin", dir);
        SluiceFixture f = p.fixture;
        f.sql("SELECT pg_create_logical_replication_slot('plugin_slot', 'test_decoding')");
        try {
            Outcome start = p.failingStart();

            assertThat(start.exitCode()).isEqualTo(3);
            assertThat(start.output()).contains("pipeline 'plugin'", "replication slot 'plugin_slot'",
                    "plugin 'test_decoding'", "'pgoutput'", "source.postgres.slot");
            assertPlain(start);
        } finally {
            f.sql("SELECT pg_drop_replication_slot('plugin_slot')");
        }
    }

    @Test
    void aSlotOfAnotherDatabaseFailsTheStart() throws Exception {
        OrdersPipeline p = new OrdersPipeline(postgres, kafka, "otherdb", dir);
        postgres.execute(LocalPostgres.SUPERUSER,
                "SELECT pg_create_logical_replication_slot('otherdb_slot', 'pgoutput')");
        try {
            Outcome start = p.failingStart();

            assertThat(start.exitCode()).isEqualTo(3);
            assertThat(start.output()).contains("pipeline 'otherdb'", "replication slot 'otherdb_slot'",
                    "belongs to database 'postgres', not 'otherdb'");
            assertPlain(start);
        } finally {
            postgres.execute(LocalPostgres.SUPERUSER, "SELECT pg_drop_replication_slot('otherdb_slot')");
        }
    }

    /**
     * Makes PostgreSQL invalidate the stopped pipeline's slot the way it does in production: the slot may keep at most
     * 1 MB of WAL, and new WAL segments plus checkpoints remove what it still needs.
     */
    private static void invalidateSlot(SluiceFixture f) {
        String status = "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + f.slot() + "'";
        postgres.execute(LocalPostgres.SUPERUSER, "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'",
                "SELECT pg_reload_conf()");
        try {
            for (int i = 0; i < MAX_WAL_SWITCHES && !"lost".equals(f.sqlValue(status)); i++) {
                f.sql("INSERT INTO orders VALUES (" + (100 + i) + ", 'written while stopped')",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
        } finally {
            postgres.execute(LocalPostgres.SUPERUSER, "ALTER SYSTEM RESET max_slot_wal_keep_size",
                    "SELECT pg_reload_conf()");
        }
        assertThat(f.sqlValue(status)).as("wal_status after " + MAX_WAL_SWITCHES + " WAL switches").isEqualTo("lost");
    }
}
