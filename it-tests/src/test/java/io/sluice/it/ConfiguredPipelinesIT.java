package io.sluice.it;

import static io.sluice.it.RedisFixture.awaitEqual;
import static io.sluice.it.RedisFixture.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineState;
import io.sluice.engine.event.Lsn;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.ElasticsearchHttp;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import io.sluice.it.support.LocalServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * Pipelines as a configuration file shapes them, end to end against real PostgreSQL, Kafka, Elasticsearch and Redis:
 * several pipelines in one {@code sluice run}, transforms that keep values and rows away from every sink, and sinks
 * that take only some tables under the topics, indices and keys transforms route them to. Every check compares what
 * a sink holds with the source rows, and looks at the stored bytes for what must not be there.
 */
class ConfiguredPipelinesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HASH_KEY = "it-hash-k3y";

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalElasticsearch elasticsearch;
    /** Keeps an append-only file, so a graceful stop and restart loses nothing and the pipeline carries on. */
    private static LocalRedis redis;
    private static ElasticsearchHttp es;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        // Elasticsearch and Kafka take the longest to start; the others start meanwhile.
        CompletableFuture<LocalElasticsearch> startingElasticsearch =
                CompletableFuture.supplyAsync(LocalElasticsearch::start);
        CompletableFuture<LocalKafka> startingKafka = CompletableFuture.supplyAsync(LocalKafka::start);
        try {
            postgres = LocalPostgres.start();
            redis = LocalRedis.start(Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY));
        } finally {
            try {
                kafka = startingKafka.join();
            } finally {
                elasticsearch = startingElasticsearch.join();
                es = new ElasticsearchHttp(elasticsearch.url());
            }
        }
    }

    @AfterAll
    static void stopServers() {
        for (LocalServer server : new LocalServer[] {redis, elasticsearch, kafka, postgres}) {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * One file, two pipelines, one {@code sluice run}: {@code mp_shop} reads database {@code mp_shop} into Kafka and
     * Elasticsearch, {@code mp_crm} reads database {@code mp_crm} into Kafka (another topic template) and Redis. Both
     * databases have a table {@code notes}, so a row delivered by the wrong pipeline would show. Both sources are
     * written at once; then Redis stops while both are written again, and the shop pipeline keeps delivering; then
     * Sluice stops, only the shop database changes, and after a restart only the shop's sinks see new events, all of
     * them, and the crm pipeline resumes where it stopped.
     */
    @Test
    void twoPipelinesInOneProcessKeepToTheirOwnSinksAndResumeFromTheirOwnOffsets() throws Exception {
        SluiceFixture shop = new SluiceFixture(postgres, kafka, "mp_shop", workDir);
        SluiceFixture crm = new SluiceFixture(postgres, kafka, "mp_crm", workDir);
        shop.sql("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, status text NOT NULL, qty int)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO orders SELECT g, 'customer ' || g, 'new', g FROM generate_series(1, 20) g",
                "INSERT INTO notes SELECT g, 'shop note ' || g FROM generate_series(1, 5) g");
        crm.sql("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, tier text, active boolean)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO customers SELECT g, 'name ' || g, 'bronze', true FROM generate_series(1, 20) g",
                "INSERT INTO notes SELECT g, 'crm note ' || g FROM generate_series(1, 5) g");
        Set<String> indicesBefore = indices();
        Set<String> redisKeysBefore = redisKeys("*");
        Path config = workDir.resolve("two-pipelines.yaml");
        Files.writeString(config, """
                defaults:
                  source:
                    postgres:
                      host: 127.0.0.1
                      port: %d
                      user: %s
                      password: unused
                  sinks:
                    kafka:
                      bootstrap-servers: %s
                pipelines:
                  - name: mp_shop
                    source:
                      postgres:
                        database: mp_shop
                        slot: mp_shop_slot
                        publication: mp_shop_pub
                        tables: [public.orders, public.notes]
                    sinks:
                      - kafka:
                          topic: "it.mp.shop.{table}"
                      - elasticsearch:
                          urls: [%s]
                          index: "mp_shop_{table}"
                          settings: {index: {number_of_replicas: 0}}
                    offsets:
                      file: %s
                  - name: mp_crm
                    source:
                      postgres:
                        database: mp_crm
                        slot: mp_crm_slot
                        publication: mp_crm_pub
                        tables: ["public.*"]
                    sinks:
                      - kafka:
                          topic: "it.mp.crm.{database}.{table}"
                      - redis:
                          host: %s
                          port: %d
                          key: "mp:crm:{table}:{key}"
                          retry: {initial-backoff: 100ms, max-backoff: 1s}
                    offsets:
                      jdbc: {}
                """.formatted(postgres.port(), LocalPostgres.SUPERUSER, kafka.bootstrapServers(),
                elasticsearch.url(), shop.offsets, redis.host(), redis.port()));

        Supplier<Map<String, Object>> shopSinks = () -> {
            List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.shop.", WAIT);
            return Map.of("kafka orders", SinkRows.kafka(records, "it.mp.shop.orders"),
                    "kafka notes", SinkRows.kafka(records, "it.mp.shop.notes"),
                    "elasticsearch orders", SinkRows.elasticsearch(es, "mp_shop_orders"),
                    "elasticsearch notes", SinkRows.elasticsearch(es, "mp_shop_notes"));
        };
        Supplier<Map<String, Object>> shopRows = () -> {
            Map<String, Map<String, String>> orders = rows(shop, "orders");
            Map<String, Map<String, String>> notes = rows(shop, "notes");
            return Map.of("kafka orders", orders, "kafka notes", notes, "elasticsearch orders", orders,
                    "elasticsearch notes", notes);
        };
        Supplier<Map<String, Object>> crmSinks = () -> {
            List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.crm.", WAIT);
            return Map.of("kafka customers", SinkRows.kafka(records, "it.mp.crm.mp_crm.customers"),
                    "kafka notes", SinkRows.kafka(records, "it.mp.crm.mp_crm.notes"),
                    "redis customers", redisRows("mp:crm:customers:", RedisValueMode.HASH),
                    "redis notes", redisRows("mp:crm:notes:", RedisValueMode.HASH));
        };
        Supplier<Map<String, Object>> crmRows = () -> {
            Map<String, Map<String, String>> customers = rows(crm, "customers");
            Map<String, Map<String, String>> notes = rows(crm, "notes");
            return Map.of("kafka customers", customers, "kafka notes", notes, "redis customers", customers,
                    "redis notes", notes);
        };

        List<Received> shopBeforeStop;
        List<Received> crmBeforeStop;
        try (RunningSluice sluice = RunningSluice.start(config, workDir.resolve("run-1.log"))) {
            sluice.awaitSlotActive(shop, WAIT);
            sluice.awaitSlotActive(crm, WAIT);
            CompletableFuture.allOf(
                    CompletableFuture.runAsync(() -> writeShop(shop, 1, 25)),
                    CompletableFuture.runAsync(() -> writeCrm(crm, 1, 25))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            awaitEqual(shopSinks, shopRows, WAIT, "the shop pipeline's sinks against its rows");
            awaitEqual(crmSinks, crmRows, WAIT, "the crm pipeline's sinks against its rows");

            // The crm pipeline's Redis goes away: that pipeline waits, the shop pipeline goes on.
            redis.stop();
            CompletableFuture.allOf(
                    CompletableFuture.runAsync(() -> writeShop(shop, 26, 35)),
                    CompletableFuture.runAsync(() -> writeCrm(crm, 26, 35))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            awaitEqual(shopSinks, shopRows, WAIT, "the shop pipeline's sinks while the crm pipeline's Redis is down");
            assertThat(redis.isRunning()).as("Redis still down when the shop's sinks caught up").isFalse();
            redis.restart();
            awaitEqual(crmSinks, crmRows, WAIT, "the crm pipeline's sinks after Redis came back");

            shopBeforeStop = KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.shop.", WAIT);
            crmBeforeStop = KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.crm.", WAIT);
            sluice.stop();
        }

        long beforeShopOnlyWrites = Lsn.parse(shop.sqlValue("SELECT pg_current_wal_lsn()"));
        writeShop(shop, 36, 45);
        try (RunningSluice sluice = RunningSluice.start(config, workDir.resolve("run-2.log"))) {
            sluice.awaitSlotActive(shop, WAIT);
            sluice.awaitSlotActive(crm, WAIT);
            awaitEqual(shopSinks, shopRows, WAIT, "the shop pipeline's sinks after the restart");
            crm.sql("INSERT INTO customers VALUES (999, 'after the restart', 'gold', true)");
            awaitEqual(crmSinks, crmRows, WAIT, "the crm pipeline's sinks after the restart");
            sluice.stop();
        }

        // Only the shop's changes made while stopped came: no snapshot again, nothing delivered before the stop again.
        List<Received> shopNew = newRecords(KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.shop.", WAIT),
                shopBeforeStop);
        assertThat(shopNew).isNotEmpty().noneMatch(r -> !r.isTombstone() && r.op().equals("r"));
        Set<String> delivered = shopBeforeStop.stream().filter(r -> !r.isTombstone()).map(this::change)
                .collect(Collectors.toSet());
        assertThat(shopNew).filteredOn(r -> !r.isTombstone()).extracting(this::change)
                .doesNotContainAnyElementsOf(delivered).doesNotHaveDuplicates();
        // The crm pipeline resumed where it stopped: the one row inserted after the restart, and nothing else.
        List<Received> crmNew = newRecords(KafkaEvents.readAll(kafka.bootstrapServers(), "it.mp.crm.", WAIT),
                crmBeforeStop);
        assertThat(crmNew).extracting(r -> r.topic() + " " + r.key() + " " + r.op())
                .containsExactly("it.mp.crm.mp_crm.customers {\"id\":999} c");

        // Nothing of one pipeline reached the other's sinks, nor any sink the other way round.
        assertThat(KafkaEvents.topics(kafka.bootstrapServers(), "it.mp.", WAIT)).containsExactlyInAnyOrder(
                "it.mp.shop.orders", "it.mp.shop.notes", "it.mp.crm.mp_crm.customers", "it.mp.crm.mp_crm.notes");
        assertThat(difference(indices(), indicesBefore)).containsExactlyInAnyOrder("mp_shop_orders", "mp_shop_notes");
        assertThat(difference(redisKeys("*"), redisKeysBefore))
                .allMatch(key -> key.startsWith("mp:crm:") || key.startsWith("{mp:crm:")
                        || key.equals("sluice:mp_crm:epoch"), "a key of the crm pipeline");

        // Each pipeline's offsets: in its own store, past what it delivered, never past what every sink holds.
        JsonNode offsets = offsetsShow(config);
        for (JsonNode pipeline : offsets.path("pipelines")) {
            JsonNode stored = pipeline.path("stored");
            assertThat(stored.isObject()).as("stored offsets of %s", pipeline.path("pipeline")).isTrue();
            assertThat(pipeline.path("slot").path("confirmed_flush_lsn_num").asLong())
                    .as("confirmed LSN of %s's slot", pipeline.path("pipeline"))
                    .isLessThanOrEqualTo(stored.path("commit_lsn_num").asLong());
            assertThat(stored.path("lsn_num").asLong()).as("stored LSN of %s", pipeline.path("pipeline"))
                    .isGreaterThan(beforeShopOnlyWrites);
        }
        assertThat(offsets.path("pipelines")).extracting(p -> p.path("pipeline").asText() + ": " + p.path("store")
                .asText()).containsExactly("mp_shop: file " + shop.offsets,
                        "mp_crm: PostgreSQL table public.sluice_offsets in " + postgres.jdbcUrl("mp_crm"));
    }

    /**
     * Masked, hashed and dropped columns, and rows outside the filter, as Kafka, Elasticsearch and Redis (both value
     * forms) store them: every row in every sink is its source row transformed, the real values appear in no stored
     * byte, and a row outside the filter appears nowhere. The table has {@code REPLICA IDENTITY FULL}, so the events
     * carry the old row too, and a row that changes while outside the filter, or that enters it, must not carry its
     * old values out either.
     */
    @Test
    void maskedHashedDroppedAndFilteredOutValuesReachNoSink() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "tf_pii", workDir);
        f.sql("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, phone text, ssn text,"
                        + " status text NOT NULL)",
                "ALTER TABLE customers REPLICA IDENTITY FULL",
                "INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', '+44 1111', '111-11-1111', 'active'),"
                        + " (2, 'Bob Hidden', 'bob@example.com', '+44 2222', '222-22-2222', 'internal'),"
                        + " (3, 'Cy', 'cy@example.com', NULL, '333-33-3333', 'active')");
        String yaml = f.yaml("public.customers", "", kafkaSink("it.tf.pii.{table}", "")
                + esSink("tf_pii_{table}", "") + redisSink("tf:pii:hash:{table}:{key}", RedisValueMode.HASH, "")
                + redisSink("tf:pii:json:{table}:{key}", RedisValueMode.JSON, ""), "file: " + f.offsets) + """
                    transforms:
                      - tables: [public.customers]
                        filter: "status <> 'internal'"
                        drop: [ssn]
                      - tables: ["public.cust*"]
                        mask: [phone]
                        hash: [email]
                        hash-key: %s
                """.formatted(HASH_KEY);
        Supplier<Map<String, Object>> sinks = () -> {
            List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.tf.pii.", WAIT);
            return Map.of("kafka", SinkRows.kafka(records, "it.tf.pii.customers"),
                    "elasticsearch", SinkRows.elasticsearch(es, "tf_pii_customers"),
                    "redis hash", redisRows("tf:pii:hash:customers:", RedisValueMode.HASH),
                    "redis json", redisRows("tf:pii:json:customers:", RedisValueMode.JSON));
        };
        Supplier<Map<String, Object>> expected = () -> {
            Map<String, Map<String, String>> rows = new TreeMap<>();
            rows(f, "customers").forEach((id, row) -> {
                if (!row.get("status").equals("internal")) {
                    Map<String, String> transformed = new TreeMap<>(row);
                    transformed.remove("ssn");
                    transformed.computeIfPresent("phone", (column, value) -> "****");
                    transformed.computeIfPresent("email", (column, value) -> hmacHex(HASH_KEY, value));
                    rows.put(id, transformed);
                }
            });
            return Map.of("kafka", rows, "elasticsearch", rows, "redis hash", rows, "redis json", rows);
        };

        try (Pipeline pipeline = f.start(new ConfigLoader(v -> null).load(yaml, "tf_pii.yaml").pipelines().get(0))) {
            awaitEqual(sinks, expected, WAIT, "the snapshot in every sink");
            f.sql("INSERT INTO customers VALUES (4, 'Di', 'di@example.com', '+44 4444', '444-44-4444', 'active')",
                    "INSERT INTO customers VALUES (5, 'Eve Hidden', 'eve@example.com', '+44 5555', '555-55-5555',"
                            + " 'internal')",
                    "UPDATE customers SET email = 'ada.new@example.com', phone = '+44 1112' WHERE id = 1",
                    // Changes while outside the filter, and a row that enters it with other values than it had.
                    "UPDATE customers SET phone = '+44 2223', name = 'Bob Hidden Again' WHERE id = 2",
                    "INSERT INTO customers VALUES (6, 'Fay Hidden', 'fay.old@example.com', '+44 6666', '666-66-6666',"
                            + " 'internal')",
                    "UPDATE customers SET status = 'active', name = 'Fay', email = 'fay@example.com' WHERE id = 6",
                    "DELETE FROM customers WHERE id = 5",
                    "INSERT INTO customers VALUES (7, 'last', NULL, NULL, NULL, 'active')");
            awaitEqual(sinks, expected, WAIT, "the changes in every sink");
            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
        }

        List<String> secrets = List.of("ada@example.com", "ada.new@example.com", "+44 1111", "+44 1112",
                "111-11-1111", "Bob Hidden", "bob@example.com", "+44 2222", "+44 2223", "222-22-2222",
                "cy@example.com", "333-33-3333", "di@example.com", "+44 4444", "444-44-4444", "Eve Hidden",
                "eve@example.com", "+44 5555", "555-55-5555", "Fay Hidden", "fay.old@example.com", "fay@example.com",
                "+44 6666", "666-66-6666", "internal", "ssn");
        List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.tf.pii.", WAIT);
        assertThat(records).isNotEmpty();
        for (Received record : records) {
            assertThat(record.raw()).as("Kafka record %s@%d", record.topic(), record.offset())
                    .doesNotContain(secrets);
        }
        Map<String, ElasticsearchHttp.Document> documents = es.documents("tf_pii_customers");
        assertThat(documents).containsOnlyKeys("1", "3", "4", "6", "7");
        documents.forEach((id, document) -> assertThat(document.raw()).as("_source of document %s", id)
                .doesNotContain(secrets));
        Map<String, String> stored = redisContents("tf:pii:");
        stored.forEach((key, value) -> assertThat(key + " " + value).as("Redis key %s", key)
                .doesNotContain(secrets));
        assertThat(stored.keySet()).filteredOn(key -> key.startsWith("tf:pii:")).hasSize(2 * 5);
        // The transformed values are there: the mask, and the keyed hash of the real value.
        assertThat(documents.get("1").source()).containsEntry("phone", "****")
                .containsEntry("email", hmacHex(HASH_KEY, "ada.new@example.com")).doesNotContainKey("ssn");

        // Row 5 never passed the filter: nothing of it anywhere, not even its key.
        assertThat(records).noneMatch(r -> r.key().path("id").asInt() == 5);
        assertThat(stored.keySet()).noneMatch(key -> key.contains("customers:5"));
        // Row 2 changed while outside the filter: no sink holds it, and what went out (a delete of its key, since
        // a delete of a row a sink does not hold changes nothing) carries none of its values.
        assertThat(records).filteredOn(r -> r.key().path("id").asInt() == 2)
                .allSatisfy(r -> assertThat(r.isTombstone() || (r.op().equals("d") && r.before().isNull())).isTrue());
        // Row 6 entered the filter: its update carries the new row only, not the values it had outside.
        assertThat(records).filteredOn(r -> r.key().path("id").asInt() == 6)
                .singleElement().satisfies(r -> assertThat(r.op()).isEqualTo("u"))
                .satisfies(r -> assertThat(r.before().isNull()).as("before image").isTrue());
    }

    /**
     * A row that leaves the filter by an update is removed from every sink as a delete would remove it: Kafka gets a
     * delete event and a tombstone, Elasticsearch deletes the document, Redis deletes the key and keeps the delete's
     * version. A row that enters the filter by an update appears in every sink. The table has the default replica
     * identity, so the update does not carry the old row.
     */
    @Test
    void rowLeavingTheFilterByAnUpdateIsDeletedFromEverySinkAndARowEnteringItAppears() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "tf_paid", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, total int NOT NULL)",
                "INSERT INTO orders VALUES (1, 'paid', 100), (2, 'paid', 200), (3, 'draft', 300), (4, 'paid', 400)");
        String yaml = f.yaml("public.orders", "", kafkaSink("it.tf.paid.{table}", "")
                + esSink("tf_paid_{table}", "") + redisSink("tf:paid:{table}:{key}", RedisValueMode.JSON, ""),
                "file: " + f.offsets) + """
                    transforms:
                      - tables: [public.orders]
                        filter: "status = 'paid'"
                """;
        Supplier<Map<String, Object>> sinks = () -> {
            List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.tf.paid.", WAIT);
            return Map.of("kafka", SinkRows.kafka(records, "it.tf.paid.orders"),
                    "elasticsearch", SinkRows.elasticsearch(es, "tf_paid_orders"),
                    "redis", redisRows("tf:paid:orders:", RedisValueMode.JSON));
        };
        Supplier<Map<String, Object>> paid = () -> {
            Map<String, Map<String, String>> rows = SinkRows.source(postgres, f.name,
                    "SELECT to_jsonb(o) FROM orders o WHERE status = 'paid'");
            return Map.of("kafka", rows, "elasticsearch", rows, "redis", rows);
        };

        try (Pipeline pipeline = f.start(new ConfigLoader(v -> null).load(yaml, "tf_paid.yaml").pipelines().get(0));
                RedisClient client = redisClient()) {
            awaitEqual(sinks, paid, WAIT, "the paid orders in every sink");
            long snapshotVersion = Long.parseLong(client.get("{tf:paid:orders:1}:version"));
            f.sql("UPDATE orders SET status = 'refunded' WHERE id = 1",
                    "UPDATE orders SET status = 'paid' WHERE id = 3",
                    "UPDATE orders SET total = 201 WHERE id = 2");
            awaitEqual(sinks, paid, WAIT, "the paid orders after one left and one entered the filter");
            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);

            List<Received> one = KafkaEvents.readAll(kafka.bootstrapServers(), "it.tf.paid.", WAIT).stream()
                    .filter(r -> r.key().path("id").asInt() == 1).toList();
            assertThat(one).extracting(r -> r.isTombstone() ? "tombstone" : r.op())
                    .containsExactly("r", "d", "tombstone");
            Received delete = one.get(1);
            assertThat(delete.value().path("after").isNull()).isTrue();
            assertThat(delete.version()).isGreaterThan(snapshotVersion);
            assertThat(es.source("tf_paid_orders", "1")).isEmpty();
            assertThat(client.exists("tf:paid:orders:1")).isFalse();
            assertThat(client.get("{tf:paid:orders:1}:version")).as("the delete marker's version")
                    .isEqualTo(Long.toString(delete.version()));
            assertThat(client.pttl("{tf:paid:orders:1}:version")).as("the delete marker's expiry").isPositive();

            List<Received> three = KafkaEvents.readAll(kafka.bootstrapServers(), "it.tf.paid.", WAIT).stream()
                    .filter(r -> r.key().path("id").asInt() == 3).toList();
            assertThat(three).extracting(Received::op).containsExactly("u");
            assertThat(es.source("tf_paid_orders", "3")).isPresent();
            assertThat(client.exists("tf:paid:orders:3")).isTrue();
        }
    }

    /**
     * Sinks that take some of the captured tables, and transforms that give tables their own topic, index or key
     * template (the last one written wins): each sink holds exactly its tables' rows, under the routed names, and no
     * topic, index or key of a table it did not select exists. A table no sink takes still moves the stored offset
     * past its changes (heartbeats are off, so nothing else could move it).
     */
    @Test
    void sinksReceiveOnlyTheirSelectedTablesUnderTheTopicIndexAndKeyTransformsRouteThemTo() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "rt_shop", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL)",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE audit_log (id int PRIMARY KEY, entry text NOT NULL)",
                "CREATE TABLE scratch (id int PRIMARY KEY)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g",
                "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 7) g",
                "INSERT INTO audit_log SELECT g, 'entry ' || g FROM generate_series(1, 3) g",
                "INSERT INTO scratch SELECT g FROM generate_series(1, 3) g");
        Set<String> indicesBefore = indices();
        Set<String> redisKeysBefore = redisKeys("*");
        String sinks = kafkaSink("it.rt.sink.{table}", """
                tables: [public.orders, public.customers]
                batch-size: 2
                retry: {initial-backoff: 50ms, max-backoff: 500ms}""")
                + kafkaSink("it.rt.audit.{table}", "tables: [\"public.audit*\"]")
                + esSink("rt_{table}", """
                        tables: [public.orders, public.customers]
                        batch-size: 3""")
                + redisSink("rt:{table}:{key}", RedisValueMode.HASH, "tables: [public.customers]");
        String yaml = f.yaml("public.orders, public.customers, public.audit_log, public.scratch",
                "heartbeat: {interval: 0s}", sinks, "file: " + f.offsets) + """
                    transforms:
                      - tables: [public.orders]
                        topic: "it.rt.first.{table}"
                      - tables: ["public.ord*"]
                        topic: it.rt.orders.v2
                        index: rt_orders_v2
                      - tables: [public.customers]
                        key: "rt:customer:{key}"
                """;
        PipelineConfig config = new ConfigLoader(v -> null).load(yaml, "rt_shop.yaml").pipelines().get(0);
        Supplier<Map<String, Object>> held = () -> {
            List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.rt.", WAIT);
            Map<String, Object> all = new TreeMap<>();
            for (String topic : KafkaEvents.topics(kafka.bootstrapServers(), "it.rt.", WAIT)) {
                all.put("topic " + topic, SinkRows.kafka(records, topic));
            }
            for (String index : difference(indices(), indicesBefore)) {
                all.put("index " + index, SinkRows.elasticsearch(es, index));
            }
            all.put("redis rt:customer:", redisRows("rt:customer:", RedisValueMode.HASH));
            return all;
        };
        Supplier<Map<String, Object>> expected = () -> {
            Map<String, Map<String, String>> orders = rows(f, "orders");
            Map<String, Map<String, String>> customers = rows(f, "customers");
            return new TreeMap<>(Map.of("topic it.rt.orders.v2", orders, "topic it.rt.sink.customers", customers,
                    "topic it.rt.audit.audit_log", rows(f, "audit_log"), "index rt_orders_v2", orders,
                    "index rt_customers", customers, "redis rt:customer:", customers));
        };

        long beforeScratch;
        try (Pipeline pipeline = f.start(config)) {
            awaitEqual(held, expected, WAIT, "every selected table in its sinks after the snapshot");
            f.sql("UPDATE orders SET status = 'paid' WHERE id <= 5", "DELETE FROM orders WHERE id = 10",
                    "INSERT INTO customers VALUES (8, 'customer 8')", "UPDATE customers SET name = 'renamed' WHERE id = 1",
                    "DELETE FROM customers WHERE id = 2", "INSERT INTO audit_log VALUES (4, 'entry 4')",
                    "UPDATE scratch SET id = id + 100");
            awaitEqual(held, expected, WAIT, "every selected table in its sinks after the changes");

            long delivered = pipeline.deliveredCount();
            beforeScratch = Lsn.parse(f.sqlValue("SELECT pg_current_wal_lsn()"));
            f.sql("INSERT INTO scratch SELECT g FROM generate_series(1, 50) g");
            awaitTrue(() -> pipeline.deliveredCount() >= delivered + 50, WAIT, "the changes of a table no sink takes");
            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
        }

        // Kafka: each table once, under its routed topic, or the sink's when no transform routes it.
        List<Received> records = KafkaEvents.readAll(kafka.bootstrapServers(), "it.rt.", WAIT);
        assertThat(records).extracting(Received::topic).containsOnly("it.rt.orders.v2", "it.rt.sink.customers",
                "it.rt.audit.audit_log");
        assertThat(records).filteredOn(r -> !r.isTombstone()).extracting(this::change).doesNotHaveDuplicates();
        // Elasticsearch: the routed index for orders, the sink's for customers, none for the other tables.
        assertThat(difference(indices(), indicesBefore)).containsExactlyInAnyOrder("rt_orders_v2", "rt_customers");
        // Redis: customers under the routed key only; the marker; nothing of another table.
        assertThat(difference(redisKeys("*"), redisKeysBefore)).allMatch(key -> key.startsWith("rt:customer:")
                || key.startsWith("{rt:customer:") || key.equals("sluice:rt_shop:epoch"), "a key of customers");
        // The offset moved past the changes of the table no sink takes.
        assertThat(storedLsn(f)).isGreaterThan(beforeScratch);
    }

    private void writeShop(SluiceFixture shop, int from, int to) {
        for (int t = from; t <= to; t++) {
            shop.sql("BEGIN; INSERT INTO orders VALUES (" + (100 + t) + ", 'customer " + t + "', 'new', " + t + ");"
                    + " UPDATE orders SET status = 'paid', qty = qty + 1 WHERE id % 10 = " + (t % 10) + ";"
                    + " DELETE FROM orders WHERE id IN (" + t + ", " + (100 + t - 10) + ");"
                    + " INSERT INTO notes VALUES (" + (100 + t) + ", 'shop note " + t + "');"
                    + " UPDATE notes SET body = body || '+' WHERE id = " + (t % 5 + 1) + "; COMMIT");
        }
    }

    private void writeCrm(SluiceFixture crm, int from, int to) {
        for (int t = from; t <= to; t++) {
            crm.sql("BEGIN; UPDATE customers SET tier = 'gold', active = NOT active WHERE id % 10 = " + (t % 10) + ";"
                    + " INSERT INTO customers VALUES (" + (100 + t) + ", 'name " + t + "', NULL, false);"
                    + " DELETE FROM customers WHERE id IN (" + (2 * t) + ", " + (100 + t - 10) + ");"
                    + " INSERT INTO notes VALUES (" + (100 + t) + ", 'crm note " + t + "');"
                    + " DELETE FROM notes WHERE id = " + (100 + t - 5) + "; COMMIT");
        }
    }

    private static Map<String, Map<String, String>> rows(SluiceFixture f, String table) {
        return SinkRows.source(postgres, f.name, "SELECT to_jsonb(t) FROM " + table + " t");
    }

    /** A change as identified across deliveries: topic, key, operation and version. */
    private String change(Received record) {
        return record.topic() + " " + record.key() + " " + record.op() + " v" + record.version();
    }

    private static List<Received> newRecords(List<Received> now, List<Received> before) {
        Set<String> seen = before.stream().map(r -> r.topic() + "/" + r.partition() + "/" + r.offset())
                .collect(Collectors.toSet());
        return now.stream().filter(r -> !seen.contains(r.topic() + "/" + r.partition() + "/" + r.offset())).toList();
    }

    private static Set<String> difference(Set<String> now, Set<String> before) {
        Set<String> added = new TreeSet<>(now);
        added.removeAll(before);
        return added;
    }

    private static Set<String> indices() {
        Set<String> names = new TreeSet<>();
        es.get("/_all/_settings/index.uuid").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static RedisClient redisClient() {
        return RedisClient.builder().hostAndPort(redis.host(), redis.port())
                .clientConfig(DefaultJedisClientConfig.builder().build()).build();
    }

    private static Set<String> redisKeys(String pattern) {
        try (RedisClient client = redisClient()) {
            return RedisFixture.scan(client, pattern);
        }
    }

    private static Map<String, Map<String, String>> redisRows(String prefix, RedisValueMode mode) {
        try (RedisClient client = redisClient()) {
            return SinkRows.redis(client, prefix, mode);
        }
    }

    /** Every key starting with the prefix, and its version key, with what it holds as text. */
    private static Map<String, String> redisContents(String prefix) {
        Map<String, String> contents = new LinkedHashMap<>();
        try (RedisClient client = redisClient()) {
            for (String pattern : List.of(prefix + "*", "{" + prefix + "*")) {
                for (String key : RedisFixture.scan(client, pattern)) {
                    contents.put(key, client.type(key).equals("hash") ? new TreeMap<>(client.hgetAll(key)).toString()
                            : client.get(key));
                }
            }
        }
        return contents;
    }

    /** The stored LSN of a fixture's pipeline, from its offsets file. */
    private static long storedLsn(SluiceFixture f) throws Exception {
        JsonNode offsets = JSON.readTree(Files.readString(f.offsets)).path("offsets");
        String key = "[\"sluice-" + f.name + "\",{\"server\":\"" + f.name + "\"}]";
        assertThat(offsets.has(key)).as("offsets file holds " + key + ": " + offsets).isTrue();
        return JSON.readTree(offsets.path(key).asText()).path("lsn").asLong();
    }

    private static JsonNode offsetsShow(Path config) throws Exception {
        Outcome outcome = SluiceProcess.run(Map.of(), 60, "offsets", "show", "--config", config.toString(), "--json");
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        return JSON.readTree(outcome.output().substring(outcome.output().indexOf('{')));
    }

    private static String kafkaSink(String topic, String extra) {
        return """
                - kafka:
                    bootstrap-servers: %s
                    topic: "%s"
                %s
                """.formatted(kafka.bootstrapServers(), topic, extra.indent(4).stripTrailing());
    }

    private static String esSink(String index, String extra) {
        return """
                - elasticsearch:
                    urls: [%s]
                    index: "%s"
                    settings: {index: {number_of_replicas: 0}}
                %s
                """.formatted(elasticsearch.url(), index, extra.indent(4).stripTrailing());
    }

    private static String redisSink(String key, RedisValueMode mode, String extra) {
        return """
                - redis:
                    host: %s
                    port: %d
                    key: "%s"
                    value: %s
                %s
                """.formatted(redis.host(), redis.port(), key, mode.yamlName(), extra.indent(4).stripTrailing());
    }

    private static String hmacHex(String key, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError("HMAC-SHA256 is part of every Java runtime", e);
        }
    }
}
