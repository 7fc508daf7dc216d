package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.offset.PipelineId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicationSlotCheckTest {
    private static final PipelineId ORDERS = new PipelineId("orders");
    private static final String STORE = "file /var/lib/sluice/orders.offsets";
    private static final long CONFIRMED = 0x16B374D848L;
    private static final Optional<StoredPosition> STORED = Optional.of(new StoredPosition("k", "{}", CONFIRMED,
            CONFIRMED, CONFIRMED, 730L, null, null, false));

    @Test
    void aFirstStartFindsNeitherOffsetsNorSlot() throws Exception {
        assertThat(problem("initial", Optional.empty(), ReplicationSlot.missing("orders_slot", CONFIRMED))).isEmpty();
    }

    @Test
    void aHealthySlotWithOffsetsIsFine() throws Exception {
        assertThat(problem("initial", STORED, slot("shop", "pgoutput", "reserved", null))).isEmpty();
        assertThat(problem("initial", Optional.empty(), slot("shop", "pgoutput", "extended", null))).isEmpty();
    }

    @Test
    void offsetsWithoutASlotMeanTheSlotWasDroppedAndSayHowToRecover() throws Exception {
        UnusableSlotException e = problem("initial", STORED, ReplicationSlot.missing("orders_slot", CONFIRMED))
                .orElseThrow();

        assertThat(e.getMessage())
                .contains("pipeline 'orders'", "slot 'orders_slot'", "db.example:5432/shop", "does not exist",
                        "lost to Sluice", "16/B374D848", STORE)
                .contains("sluice offsets reset --config <config file> --pipeline orders --snapshot")
                .contains("creates a new slot and snapshots the tables again")
                .doesNotContain("pg_drop_replication_slot");
        assertThat(e.messageFor("/etc/sluice/pipelines.yaml"))
                .contains("sluice offsets reset --config /etc/sluice/pipelines.yaml --pipeline orders --snapshot");
    }

    @Test
    void withSnapshotNeverTheRecoverySaysNothingIsReadAgain() throws Exception {
        UnusableSlotException e = problem("never", STORED, ReplicationSlot.missing("orders_slot", CONFIRMED))
                .orElseThrow();

        assertThat(e.getMessage()).contains("snapshot: never").contains("snapshot: initial");
    }

    @Test
    void snapshotModesThatSnapshotByThemselvesStartWithoutTheSlot() throws Exception {
        assertThat(problem("when-needed", STORED, ReplicationSlot.missing("orders_slot", CONFIRMED))).isEmpty();
        assertThat(problem("initial-only", STORED, ReplicationSlot.missing("orders_slot", CONFIRMED))).isEmpty();
    }

    @Test
    void anInvalidatedSlotMustBeDroppedAndTheOffsetsCleared() throws Exception {
        UnusableSlotException lost = problem("initial", STORED, slot("shop", "pgoutput", "lost", null)).orElseThrow();
        assertThat(lost.messageFor("p.yaml"))
                .contains("pipeline 'orders'", "slot 'orders_slot'", "db.example:5432/shop", "invalidated",
                        "wal_status 'lost'", "max_slot_wal_keep_size", "16/B374D848")
                .contains("SELECT pg_drop_replication_slot('orders_slot');")
                .contains("sluice offsets reset --config p.yaml --pipeline orders --snapshot");

        UnusableSlotException reason = problem("when-needed", STORED, slot("shop", "pgoutput", "lost", "wal_removed"))
                .orElseThrow();
        assertThat(reason.getMessage()).contains("invalidation_reason 'wal_removed'");

        UnusableSlotException noOffsets = problem("initial", Optional.empty(), slot("shop", "pgoutput", "lost", null))
                .orElseThrow();
        assertThat(noOffsets.getMessage()).contains("pg_drop_replication_slot").doesNotContain("sluice offsets reset");
    }

    @Test
    void aSlotOfAnotherDatabaseOrPluginIsNotSluices() throws Exception {
        assertThat(problem("initial", STORED, slot("billing", "pgoutput", "reserved", null)).orElseThrow()
                .getMessage()).contains("pipeline 'orders'", "belongs to database 'billing', not 'shop'");
        assertThat(problem("initial", Optional.empty(), slot("shop", "test_decoding", "reserved", null)).orElseThrow()
                .getMessage()).contains("plugin 'test_decoding'", "'pgoutput'", "source.postgres.slot");
        ReplicationSlot physical = new ReplicationSlot("orders_slot", true, "physical", null, null, false, null,
                CONFIRMED, null, "reserved", null, CONFIRMED);
        assertThat(problem("initial", Optional.empty(), physical).orElseThrow().getMessage())
                .contains("physical", "logical slot");
    }

    private static ReplicationSlot slot(String database, String plugin, String walStatus, String reason) {
        boolean lost = "lost".equals(walStatus);
        return new ReplicationSlot("orders_slot", true, "logical", plugin, database, false, null,
                lost ? null : CONFIRMED - 100, CONFIRMED, walStatus, reason, CONFIRMED + 1000);
    }

    private static Optional<UnusableSlotException> problem(String snapshot, Optional<StoredPosition> stored,
            ReplicationSlot slot) throws Exception {
        return ReplicationSlotCheck.problem(ORDERS, source(snapshot), STORE, stored, slot);
    }

    private static PostgresSourceConfig source(String snapshot) throws Exception {
        String yaml = """
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: db.example
                        database: shop
                        user: sluice
                        slot: orders_slot
                        publication: orders_pub
                        tables: [public.orders]
                        snapshot: %s
                    sinks:
                      - kafka:
                          bootstrap-servers: localhost:9092
                    offsets:
                      file: orders.offsets
                """.formatted(snapshot);
        return new ConfigLoader(variable -> null).load(yaml, "orders.yaml").pipelines().get(0).source().postgres();
    }
}
