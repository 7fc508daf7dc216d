package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineState;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL WAL to Kafka through the whole pipeline, against real servers. */
class PipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path workDir;

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
    void snapshotThenEveryStreamedChangeArrivesPerKeyInCommitOrder() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "lifecycle", workDir);
        f.sql("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, amount numeric(12,2))",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "INSERT INTO orders VALUES (1, 'new', 10.00), (2, 'new', 20.50), (3, 'new', 30.25)");

        try (Pipeline pipeline = f.start(f.config("public.orders", ""));
                KafkaEvents events = f.events()) {
            events.awaitCount(3, WAIT);
            f.sql("INSERT INTO orders VALUES (4, 'new', 40.00)",
                    "UPDATE orders SET status = 'paid' WHERE id = 1",
                    "UPDATE orders SET status = 'shipped' WHERE id = 1",
                    "UPDATE orders SET id = 20 WHERE id = 2",
                    "DELETE FROM orders WHERE id = 3",
                    "TRUNCATE orders");
            List<Received> all = events.awaitUntil(r -> r.stream().anyMatch(e -> !e.isTombstone()
                    && e.op().equals("t")), WAIT, "the truncate");

            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
            List<Received> changes = all.stream().filter(r -> !r.isTombstone()).toList();
            assertThat(changes.subList(0, 3)).extracting(Received::op).containsOnly("r");
            assertThat(changes.subList(0, 3)).extracting(r -> r.key().toString())
                    .containsExactlyInAnyOrder("{\"id\":1}", "{\"id\":2}", "{\"id\":3}");
            assertThat(changes.subList(0, 3)).extracting(r -> r.after().path("amount").asText())
                    .containsExactlyInAnyOrder("10.00", "20.50", "30.25");

            assertThat(opsOf(changes, "{\"id\":1}")).containsExactly("r", "u", "u");
            Received shipped = last(changes, "{\"id\":1}");
            assertThat(shipped.before().path("status").asText()).isEqualTo("paid");
            assertThat(shipped.after().path("status").asText()).isEqualTo("shipped");
            assertThat(versionsOf(changes, "{\"id\":1}")).isSorted();

            // A primary key change is a delete of the old key and an insert of the new one.
            assertThat(opsOf(changes, "{\"id\":2}")).containsExactly("r", "d");
            assertThat(opsOf(changes, "{\"id\":20}")).containsExactly("c");
            assertThat(last(changes, "{\"id\":20}").after().path("amount").asText()).isEqualTo("20.50");

            assertThat(opsOf(changes, "{\"id\":3}")).containsExactly("r", "d");
            Received deleted = last(changes, "{\"id\":3}");
            assertThat(deleted.before().path("status").asText()).isEqualTo("new");
            assertThat(deleted.value().path("after").isNull()).isTrue();
            assertThat(all).anyMatch(r -> r.isTombstone() && r.key().toString().equals("{\"id\":3}"));

            assertThat(opsOf(changes, "{\"id\":4}")).containsExactly("c");
            Received truncate = changes.get(changes.size() - 1);
            assertThat(truncate.op()).isEqualTo("t");
            assertThat(truncate.topic()).isEqualTo(f.topicPrefix() + "public.orders");

            Received insert = last(changes, "{\"id\":4}");
            assertThat(insert.headers()).containsEntry("sluice.op", "c")
                    .containsEntry("sluice.version", Long.toString(insert.version()))
                    .containsKey("sluice.lsn").containsKey("sluice.tx_id");
        }
    }

    @Test
    void restartResumesWithoutSecondSnapshotAndDeliversChangesMadeWhileStopped() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "restart", workDir);
        f.sql("CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 50) g");

        try (KafkaEvents events = f.events()) {
            try (Pipeline pipeline = f.start(f.config("public.items", ""))) {
                events.awaitCount(50, WAIT);
                f.sql("INSERT INTO items VALUES (51, 'live')");
                events.awaitCount(51, WAIT);
            }
            f.sql("INSERT INTO items VALUES (52, 'while stopped')",
                    "UPDATE items SET name = 'renamed while stopped' WHERE id = 1",
                    "DELETE FROM items WHERE id = 2");

            try (Pipeline pipeline = f.start(f.config("public.items", ""))) {
                List<Received> all = events.awaitUntil(
                        r -> r.stream().anyMatch(e -> !e.isTombstone() && e.op().equals("d")), WAIT,
                        "the delete made while stopped");
                f.sql("INSERT INTO items VALUES (53, 'after restart')");
                all = events.awaitUntil(r -> r.stream().anyMatch(e -> e.key().toString().equals("{\"id\":53}")),
                        WAIT, "the insert after restart");
                all = events.drain(Duration.ofSeconds(2));

                List<Received> changes = all.stream().filter(r -> !r.isTombstone()).toList();
                assertThat(changes.stream().filter(r -> r.op().equals("r"))).hasSize(50);
                assertThat(opsOf(changes, "{\"id\":52}")).containsExactly("c");
                assertThat(opsOf(changes, "{\"id\":1}")).endsWith("u");
                assertThat(last(changes, "{\"id\":1}").after().path("name").asText())
                        .isEqualTo("renamed while stopped");
                assertThat(opsOf(changes, "{\"id\":2}")).endsWith("d");
                assertThat(opsOf(changes, "{\"id\":53}")).containsExactly("c");
                // Nothing between the stop and the restart was skipped or repeated as a snapshot.
                assertThat(opsOf(changes, "{\"id\":51}")).containsOnly("c");
            }
        }
    }

    @Test
    void transactionCommittedAfterSnapshotReadOutranksTheSnapshot() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "race", workDir);
        f.sql("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
                "INSERT INTO accounts VALUES (1, 100)",
                // An existing slot: the snapshot then does not wait for transactions in flight.
                "CREATE PUBLICATION race_pub FOR TABLE accounts",
                "SELECT pg_create_logical_replication_slot('race_slot', 'pgoutput')");

        try (Connection tx = postgres.connect(f.name); KafkaEvents events = f.events()) {
            tx.setAutoCommit(false);
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("UPDATE accounts SET balance = 200 WHERE id = 1");
            }
            try (Pipeline pipeline = f.start(f.config("public.accounts", ""))) {
                Received snapshot = events.awaitCount(1, WAIT).get(0);
                assertThat(snapshot.op()).isEqualTo("r");
                assertThat(snapshot.after().path("balance").asInt()).isEqualTo(100);

                tx.commit();
                Received update = events.awaitUntil(r -> r.stream().anyMatch(e -> e.op().equals("u")), WAIT,
                        "the committed update").stream().filter(e -> e.op().equals("u")).findFirst().orElseThrow();

                assertThat(update.after().path("balance").asInt()).isEqualTo(200);
                // The race really happened: the change was written at or before the snapshot's position...
                assertThat(update.value().path("source").path("lsn_num").asLong())
                        .isLessThanOrEqualTo(snapshot.version());
                // ...yet its commit-ordered version outranks the snapshot read, so sinks keep 200.
                assertThat(update.version()).isGreaterThan(snapshot.version());
            }
        }
    }

    @Test
    void unchangedToastedColumnIsAbsentFromAfterAndListedAsUnchanged() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "toast", workDir);
        f.sql("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                // EXTERNAL keeps the large value out of line and uncompressed, so it is TOASTed for sure.
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");

        try (Pipeline pipeline = f.start(f.config("public.docs", "snapshot: never"));
                KafkaEvents events = f.events()) {
            awaitSlotActive(f);
            f.sql("INSERT INTO docs SELECT 1, 'first', string_agg(md5(g::text), '') FROM generate_series(1, 400) g",
                    "UPDATE docs SET title = 'second' WHERE id = 1");
            List<Received> changes = events.awaitCount(2, WAIT);

            Received insert = changes.get(0);
            Received update = changes.get(1);
            assertThat(insert.after().path("body").asText()).hasSize(400 * 32);
            assertThat(update.op()).isEqualTo("u");
            assertThat(update.after().path("title").asText()).isEqualTo("second");
            assertThat(update.after().has("body")).isFalse();
            assertThat(update.value().path("unchanged").toString()).isEqualTo("[\"body\"]");
            assertThat(update.value().toString()).doesNotContain("__sluice_unchanged_toast_value__");
        }
    }

    @Test
    void everyCommonPostgresTypeArrivesWithItsExactValue() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "types", workDir);
        f.sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                """
                CREATE TABLE matrix (
                  id int PRIMARY KEY, c_smallint smallint, c_int int, c_bigint bigint,
                  c_numeric numeric(20,6), c_numeric_free numeric, c_real real, c_double double precision,
                  c_bool boolean, c_text text, c_varchar varchar(20), c_char char(5), c_uuid uuid,
                  c_json json, c_jsonb jsonb, c_bytea bytea, c_date date, c_time time, c_timetz timetz,
                  c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval,
                  c_int_array int[], c_text_array text[], c_enum mood, c_null text)""",
                """
                INSERT INTO matrix VALUES (1, -32768, 2147483647, 9223372036854775807,
                  12345678901234.123456, 0.000000000000000001234, 1.5, 3.141592653589793,
                  true, 'héllo ✓', 'var', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                  '{"a": 1, "b": [true, null, 2.50]}', '{"s": "x", "n": 12345678901234567890.5}', '\\xdeadbeef',
                  '2024-02-29', '13:45:10.123456', '13:45:10.5+02', '2024-02-29 13:45:10.123456',
                  '2024-02-29 13:45:10.123456+02', '1 year 2 mons 3 days 04:05:06.78',
                  '{1,2,NULL}', '{"a",NULL,"c d"}', 'happy', NULL)""");

        try (Pipeline pipeline = f.start(f.config("public.matrix", ""));
                KafkaEvents events = f.events()) {
            JsonNode after = events.awaitCount(1, WAIT).get(0).after();

            Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                    Map.entry("id", "1"),
                    Map.entry("c_smallint", "-32768"),
                    Map.entry("c_int", "2147483647"),
                    Map.entry("c_bigint", "9223372036854775807"),
                    Map.entry("c_numeric", "\"12345678901234.123456\""),
                    Map.entry("c_numeric_free", "\"0.000000000000000001234\""),
                    Map.entry("c_real", "1.5"),
                    Map.entry("c_double", "3.141592653589793"),
                    Map.entry("c_bool", "true"),
                    Map.entry("c_text", "\"héllo ✓\""),
                    Map.entry("c_varchar", "\"var\""),
                    Map.entry("c_char", "\"ab   \""),
                    Map.entry("c_uuid", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""),
                    Map.entry("c_json", "{\"a\":1,\"b\":[true,null,2.50]}"),
                    Map.entry("c_jsonb", "{\"n\":12345678901234567890.5,\"s\":\"x\"}"),
                    Map.entry("c_bytea", "\"3q2+7w==\""),
                    Map.entry("c_date", "\"2024-02-29\""),
                    Map.entry("c_time", "\"13:45:10.123456\""),
                    Map.entry("c_timetz", "\"11:45:10.5Z\""),
                    Map.entry("c_timestamp", "\"2024-02-29T13:45:10.123456\""),
                    Map.entry("c_timestamptz", "\"2024-02-29T11:45:10.123456Z\""),
                    Map.entry("c_interval", "\"P1Y2M3DT4H5M6.78S\""),
                    Map.entry("c_int_array", "[1,2,null]"),
                    Map.entry("c_text_array", "[\"a\",null,\"c d\"]"),
                    Map.entry("c_enum", "\"happy\""),
                    Map.entry("c_null", "null")));
            Map<String, String> actual = new TreeMap<>();
            after.fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().toString()));
            assertThat(actual).isEqualTo(expected);
        }
    }

    /** Waits until the pipeline streams from its slot ({@link LocalPostgres#streamsFrom}). */
    private static void awaitSlotActive(SluiceFixture f) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!postgres.streamsFrom(f.name + "_slot")) {
            assertThat(System.nanoTime()).as("streaming from the slot in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static List<String> opsOf(List<Received> changes, String key) {
        return forKey(changes, key).map(Received::op).collect(Collectors.toList());
    }

    private static List<Long> versionsOf(List<Received> changes, String key) {
        return forKey(changes, key).map(Received::version).collect(Collectors.toList());
    }

    private static Received last(List<Received> changes, String key) {
        List<Received> of = forKey(changes, key).toList();
        return of.get(of.size() - 1);
    }

    private static java.util.stream.Stream<Received> forKey(List<Received> changes, String key) {
        Predicate<Received> sameKey = r -> r.key() != null && r.key().toString().equals(key);
        return changes.stream().filter(sameKey);
    }
}
