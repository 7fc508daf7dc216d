package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineException;
import io.sluice.engine.PipelineState;
import io.sluice.it.support.ElasticsearchHttp.Document;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL to Elasticsearch through the whole pipeline, against real servers. Every test ends by comparing every
 * document of its indices with every row of its tables.
 */
class ElasticsearchPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ORDER_ID = "id::text";
    private static final String ORDER_DOCUMENT = "jsonb_build_object('id', id, 'status', status, 'amount', "
            + "amount::text, 'attributes', attributes, 'tags', to_jsonb(tags), 'paid', paid)";

    private static LocalPostgres postgres;
    private static LocalElasticsearch elasticsearch;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        elasticsearch = LocalElasticsearch.start();
    }

    @AfterAll
    static void stopServers() {
        if (elasticsearch != null) {
            elasticsearch.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void snapshotAndStreamedChangesLeaveEveryDocumentEqualToItsRow() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "sync", workDir);
        f.sql("""
                CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, amount numeric(20,6),
                  attributes jsonb, tags int[], paid boolean)""",
                "CREATE TABLE order_lines (order_id bigint, line_no int, sku text, qty int, PRIMARY KEY (order_id, line_no))",
                """
                INSERT INTO orders SELECT g, 'new', g * 1.5, jsonb_build_object('n', g, 'big', 12345678901234567890.50),
                  ARRAY[g, g + 1], false FROM generate_series(1, 50) g""",
                "INSERT INTO order_lines SELECT o, l, 'sku-' || o || '-' || l, l FROM generate_series(1, 20) o,"
                        + " generate_series(1, 3) l");

        try (Pipeline pipeline = f.start(f.config("public.orders, public.order_lines", "", ""))) {
            f.awaitDocuments("orders", docs -> docs.size() == 50, WAIT, "the snapshot");
            f.sql("INSERT INTO orders VALUES (51, 'new', 99999999999999.999999, '{\"nested\": {\"deep\": [1.25, 2.50]}}',"
                            + " '{}', false)",
                    "UPDATE orders SET status = 'paid', paid = true WHERE id <= 10",
                    "UPDATE orders SET status = 'shipped' WHERE id <= 5",
                    "DELETE FROM orders WHERE id BETWEEN 40 AND 45",
                    "UPDATE orders SET id = 1000 WHERE id = 46",
                    "BEGIN; UPDATE order_lines SET qty = qty * 10 WHERE order_id = 1;"
                            + " DELETE FROM order_lines WHERE order_id = 2; COMMIT",
                    "INSERT INTO order_lines VALUES (21, 1, 'new line', 1)",
                    "INSERT INTO orders VALUES (52, 'last', NULL, NULL, NULL, NULL)");
            f.awaitDocuments("orders", docs -> docs.containsKey("52") || pipeline.state().isTerminal(), WAIT,
                    "the last insert");
            assertStreaming(pipeline);
            f.awaitDocuments("order_lines", docs -> docs.containsKey("{\"order_id\":21,\"line_no\":1}"), WAIT,
                    "the last line");

            assertStreaming(pipeline);
            f.assertIndexEqualsTable("orders", ORDER_ID, ORDER_DOCUMENT);
            f.assertIndexEqualsTable("order_lines",
                    "'{\"order_id\":' || order_id || ',\"line_no\":' || line_no || '}'",
                    "jsonb_build_object('order_id', order_id, 'line_no', line_no, 'sku', sku, 'qty', qty)");
            Map<String, Document> orders = f.http.documents(f.index("orders"));
            assertThat(orders.get("51").raw()).as("exact numeric and jsonb as an object")
                    .contains("\"amount\":\"99999999999999.999999\"")
                    .contains("\"attributes\":{\"nested\":{\"deep\":[1.25,2.50]}}");
            assertThat(orders).doesNotContainKeys("40", "46").containsKey("1000");
            assertThat(orders.get("1").version()).as("an updated row's version").isGreaterThan(orders.get("20").version());
        }
    }

    /**
     * Offsets rewound to before a load of 2,200 events: the whole load is delivered again. The index ends identical
     * (documents, sources and versions), and every replayed event older than its document's version is counted as
     * a conflict: the 1,000 inserts, which updates or deletes outrank, and the 200 updates of rows deleted later.
     * The replayed inserts are older versions fed after newer ones; none overwrites the update after it.
     */
    @Test
    void replayFromRewoundOffsetsLeavesTheIndexIdenticalAndCountsConflicts() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "replay", workDir);
        f.sql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, revision int NOT NULL)");
        try (Pipeline pipeline = f.start(f.config("public.items", "", ""))) {
            awaitSlotActive(f.name + "_slot");
        }
        // The rewind point: the stored offsets and a copy of the slot at the same place, so PostgreSQL can send the
        // load again (a slot never goes back on its own).
        Path rewound = workDir.resolve("replay.offsets.rewound");
        Files.copy(f.offsets, rewound);
        f.sql("SELECT pg_copy_logical_replication_slot('replay_slot', 'replay_rewound_slot')");

        String[] load = new String[21];
        for (int t = 0; t < 10; t++) {
            load[t] = "INSERT INTO items SELECT g, 'item ' || g, 1 FROM generate_series(" + (t * 100 + 1) + ", "
                    + (t * 100 + 100) + ") g";
            load[10 + t] = "UPDATE items SET name = 'renamed ' || id, revision = 2 WHERE id BETWEEN "
                    + (t * 100 + 1) + " AND " + (t * 100 + 100);
        }
        load[20] = "DELETE FROM items WHERE id % 5 = 0";
        Map<String, Document> before;
        try (Pipeline pipeline = f.start(f.config("public.items", "", ""))) {
            f.sql(load);
            before = f.awaitDocuments("items", docs -> docs.size() == 800
                    && docs.values().stream().allMatch(d -> "renamed".equals(d.source().get("name").toString()
                            .split(" ")[0])), WAIT, "the load");
            assertThat(f.sink().versionConflictCount()).isZero();
        }

        Files.copy(rewound, f.offsets, StandardCopyOption.REPLACE_EXISTING);
        try (Pipeline pipeline = f.start(f.config("public.items", "replay_rewound_slot", "", ""))) {
            awaitDelivered(pipeline, 2_200);

            assertThat(f.sink().versionConflictCount()).isEqualTo(1_200);
            Map<String, Document> after = f.http.documents(f.index("items"));
            assertThat(after).isEqualTo(before);
            f.assertIndexEqualsTable("items", "id::text",
                    "jsonb_build_object('id', id, 'name', name, 'revision', revision)");
        }
    }

    /**
     * The snapshot race of ARCHITECTURE.md: a transaction updates a row before the snapshot (on an existing slot, so
     * the snapshot does not wait for it) and commits after the snapshot read the old value. Its change was logged
     * before the snapshot's position, yet it must win.
     */
    @Test
    void transactionCommittedAfterTheSnapshotReadItsRowWins() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "race", workDir);
        f.sql("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
                "INSERT INTO accounts VALUES (1, 100), (2, 100)",
                "CREATE PUBLICATION race_pub FOR TABLE accounts",
                "SELECT pg_create_logical_replication_slot('race_slot', 'pgoutput')");

        try (Connection tx = postgres.connect(f.name)) {
            tx.setAutoCommit(false);
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("UPDATE accounts SET balance = 200 WHERE id = 1");
            }
            try (Pipeline pipeline = f.start(f.config("public.accounts", "", ""))) {
                Map<String, Document> snapshot = f.awaitDocuments("accounts", docs -> docs.size() == 2, WAIT,
                        "the snapshot");
                assertThat(snapshot.get("1").source()).containsEntry("balance", 100L);

                tx.commit();
                f.sql("UPDATE accounts SET balance = 300 WHERE id = 2");
                Map<String, Document> after = f.awaitDocuments("accounts",
                        docs -> Long.valueOf(300).equals(docs.get("2").source().get("balance")), WAIT,
                        "a change committed after the racing transaction");

                assertThat(after.get("1").source()).containsEntry("balance", 200L);
                assertThat(after.get("1").version()).isGreaterThan(snapshot.get("1").version());
                f.assertIndexEqualsTable("accounts", "id::text", "jsonb_build_object('id', id, 'balance', balance)");
            }
        }
    }

    /**
     * A TOASTed text updated in one transaction and left alone by the next, which PostgreSQL then does not send:
     * the index keeps the updated text. Without REPLICA IDENTITY FULL the sink reads it back from the index; with it,
     * from the event's before image.
     */
    @Test
    void toastedTextUpdatedThenLeftAloneKeepsItsValue() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "toast", workDir);
        for (String table : new String[] {"docs", "docs_full"}) {
            f.sql("CREATE TABLE " + table + " (id int PRIMARY KEY, title text, body text)",
                    // EXTERNAL keeps the large value out of line and uncompressed, so it is TOASTed for sure.
                    "ALTER TABLE " + table + " ALTER COLUMN body SET STORAGE EXTERNAL",
                    "INSERT INTO " + table + " SELECT 1, 'first', string_agg(md5(g::text), '') FROM"
                            + " generate_series(1, 400) g");
        }
        f.sql("ALTER TABLE docs_full REPLICA IDENTITY FULL");

        try (Pipeline pipeline = f.start(f.config("public.docs, public.docs_full", "", ""))) {
            f.awaitDocuments("docs_full", docs -> docs.size() == 1, WAIT, "the snapshot");
            f.awaitDocuments("docs", docs -> docs.size() == 1, WAIT, "the snapshot");
            for (String table : new String[] {"docs", "docs_full"}) {
                f.sql("UPDATE " + table + " SET body = string_agg, title = 'second' FROM (SELECT string_agg("
                                + "md5((g * 7)::text), '') FROM generate_series(1, 400) g) b WHERE id = 1",
                        "UPDATE " + table + " SET title = 'third' WHERE id = 1");
            }
            for (String table : new String[] {"docs", "docs_full"}) {
                Map<String, Document> docs = f.awaitDocuments(table,
                        d -> "third".equals(d.get("1").source().get("title")), WAIT, "the second update");
                assertThat(docs.get("1").source().get("body").toString()).hasSize(400 * 32);
                f.assertIndexEqualsTable(table, "id::text", "jsonb_build_object('id', id, 'title', title, 'body', body)");
            }
            assertThat(f.sink().unchangedValuesNotFoundCount()).isZero();
        }
    }

    @Test
    void rowThatViolatesTheMappingIsSkippedUnderSkipAndTheRestFlows() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "poison_skip", workDir);
        f.sql("CREATE TABLE codes (id int PRIMARY KEY, code text)",
                "INSERT INTO codes VALUES (1, '11'), (2, 'not a number'), (3, '33')");

        try (Pipeline pipeline = f.start(f.config("public.codes", "", """
                on-failure: skip
                mappings: {properties: {code: {type: long}}}"""))) {
            f.awaitDocuments("codes", docs -> docs.size() == 2, WAIT, "the rows the mapping accepts");
            f.sql("INSERT INTO codes VALUES (4, '44')");
            Map<String, Document> docs = f.awaitDocuments("codes", d -> d.containsKey("4"), WAIT, "a later row");

            assertThat(docs).containsOnlyKeys("1", "3", "4");
            assertStreaming(pipeline);
        }
    }

    @Test
    void rowThatViolatesTheMappingStopsThePipelineUnderFailWithAClearMessage() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "poison_fail", workDir);
        f.sql("CREATE TABLE codes (id int PRIMARY KEY, code text)",
                "INSERT INTO codes VALUES (1, '11'), (2, 'not a number'), (3, '33')");

        try (Pipeline pipeline = f.start(f.config("public.codes", "", """
                mappings: {properties: {code: {type: long}}}"""))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try {
                pipeline.termination().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failure.set(e.getCause());
            }

            assertThat(failure.get()).isInstanceOf(PipelineException.class)
                    .hasMessageContaining("pipeline 'poison_fail', sink elasticsearch")
                    .hasMessageContaining("public.codes read key={id=2}")
                    .hasMessageContaining("was rejected")
                    .hasMessageContaining("index 'poison_fail_codes', id '2'")
                    .hasMessageContaining("document_parsing_exception")
                    .hasMessageContaining("set on-failure: skip")
                    .hasMessageNotContaining("not a number");
            assertThat(pipeline.state()).isEqualTo(PipelineState.FAILED);
        }
    }

    /**
     * Elasticsearch stops for 20 seconds in the middle of a stream of inserts: the pipeline keeps retrying, then
     * catches up, and every row is in the index.
     */
    @Test
    void elasticsearchStoppedDuringALoadIsWaitedForAndNothingIsLost() throws Exception {
        ElasticsearchFixture f = new ElasticsearchFixture(postgres, elasticsearch, "outage", workDir);
        f.sql("CREATE TABLE events (id int PRIMARY KEY, payload text NOT NULL)");

        try (Pipeline pipeline = f.start(f.config("public.events", "snapshot: never", ""))) {
            awaitSlotActive(f.name + "_slot");
            Thread load = new Thread(() -> {
                for (int t = 0; t < 60; t++) {
                    f.sql("INSERT INTO events SELECT g, 'payload ' || g FROM generate_series(" + (t * 50 + 1) + ", "
                            + (t * 50 + 50) + ") g");
                    sleep(Duration.ofMillis(500));
                }
            }, "outage-load");
            load.start();
            f.awaitDocuments("events", docs -> docs.size() >= 200, WAIT, "the load to start arriving");

            elasticsearch.stop();
            Instant stopped = Instant.now();
            sleep(Duration.ofSeconds(20));
            assertStreaming(pipeline);
            elasticsearch.restart();
            assertThat(Duration.between(stopped, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(20));

            load.join(WAIT.toMillis());
            assertThat(load.isAlive()).isFalse();
            f.awaitDocuments("events", docs -> docs.size() == 3_000, WAIT, "every row after the outage");
            assertStreaming(pipeline);
            f.assertIndexEqualsTable("events", "id::text", "jsonb_build_object('id', id, 'payload', payload)");
        }
    }

    /** The pipeline is still streaming; if it failed, the assertion shows why. */
    private static void assertStreaming(Pipeline pipeline) {
        String failure = pipeline.termination().isCompletedExceptionally()
                ? pipeline.termination().handle((ok, e) -> String.valueOf(e)).join() : "none";
        assertThat(pipeline.state()).as("pipeline state (failure: %s)", failure).isEqualTo(PipelineState.STREAMING);
    }

    private static void awaitDelivered(Pipeline pipeline, long events) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (pipeline.deliveredCount() < events) {
            assertThat(Instant.now()).as("%d of %d events delivered in time", pipeline.deliveredCount(), events)
                    .isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** Waits until the pipeline streams from its slot ({@link LocalPostgres#streamsFrom}). */
    private static void awaitSlotActive(String slot) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (!postgres.streamsFrom(slot)) {
            assertThat(Instant.now()).as("streaming from slot %s in time", slot).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
