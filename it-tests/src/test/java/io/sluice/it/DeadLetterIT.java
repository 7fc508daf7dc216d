package io.sluice.it;

import static io.sluice.it.RedisFixture.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.DeadLetterTargets;
import io.sluice.app.SinkFactory;
import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.event.Lsn;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Events that a sink rejects for good, under {@code on-failure: dead-letter}, against real servers: they land in
 * the dead-letter target with their error, sink, table, key and LSN, the pipeline goes on and its offsets pass them,
 * a restart does not dead-letter them again, and once the cause is fixed {@code sluice dead-letters replay} delivers
 * them and empties the target. Poison comes from the servers themselves: an Elasticsearch index whose mapping makes
 * a field numeric, and a Redis key that holds a list where the sink writes a hash.
 */
class DeadLetterIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalPostgres postgres;
    private static LocalElasticsearch elasticsearch;
    private static LocalKafka kafka;
    private static LocalRedis redis;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        // One after another: servers started at once could be handed the same free port.
        postgres = LocalPostgres.start();
        elasticsearch = LocalElasticsearch.start();
        kafka = LocalKafka.start();
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable server : new AutoCloseable[] {redis, kafka, elasticsearch, postgres}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /**
     * Rows 2 and 5 carry text where the index wants a number, and row 3's cache key holds a list: Elasticsearch and
     * Redis reject them for good. They go to the dead-letter file while the rows around them are delivered. The
     * cache key of row 3 is freed while the pipeline runs and the row updated, so its dead letter is older than
     * what the cache then holds: the replay applies it without overwriting the newer value.
     */
    @Test
    void poisonEventsGoToTheDeadLetterFileAndAReplayDeliversThemOnceFixed() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "dlq_file", workDir);
        ElasticsearchFixture es = ElasticsearchFixture.sharing(f, elasticsearch);
        RedisFixture cache = RedisFixture.sharing(f, redis);
        String cacheKey3 = cache.keyPrefix() + "orders:3";
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, amount text, status text)",
                "INSERT INTO orders VALUES (1, '10', 'new'), (2, 'not a number', 'new'), (3, '30', 'new'),"
                        + " (4, '40', 'new')");
        es.http.put("/" + es.index("orders"), """
                {"settings": {"index": {"number_of_replicas": 0}},
                 "mappings": {"properties": {"amount": {"type": "long"}}}}""");
        Path letters = workDir.resolve("dlq_file.dead-letters.jsonl");
        Path config = Files.writeString(workDir.resolve("dlq_file.yaml"), f.yaml("public.orders", "",
                es.sinkYaml("on-failure: dead-letter") + cache.sinkYaml(RedisValueMode.HASH)
                        + "    on-failure: dead-letter\n", "file: " + f.offsets) + """
                    dead-letter:
                      file: {path: "%s/{pipeline}.dead-letters.jsonl"}
                """.formatted(workDir));

        try (RedisClient client = cache.redisClient()) {
            client.rpush(cacheKey3, "a list where the sink writes a hash");
            try (RunningSluice sluice = RunningSluice.start(config, workDir.resolve("first.log"))) {
                es.awaitDocuments("orders", docs -> docs.keySet().containsAll(List.of("1", "3", "4")), WAIT,
                        "the snapshot's good rows");
                f.sql("INSERT INTO orders VALUES (5, 'not a number either', 'new')",
                        "INSERT INTO orders VALUES (6, '60', 'new')");
                es.awaitDocuments("orders", docs -> docs.containsKey("6"), WAIT, "a row after the poison");
                awaitTrue(() -> lines(letters).size() == 3, WAIT, "three dead letters");

                // The two sinks write in parallel, so their letters may come in either order.
                Map<Integer, JsonNode> written = new TreeMap<>();
                lines(letters).forEach(letter -> written.put(letter.at("/key/id").asInt(), letter));
                assertThat(written).containsOnlyKeys(2, 3, 5);
                assertLetter(written.get(2), "elasticsearch", 2, "r", "index 'dlq_file_orders', id '2'");
                assertLetter(written.get(3), "redis", 3, "r", "WRONGTYPE");
                assertLetter(written.get(5), "elasticsearch", 5, "c", "index 'dlq_file_orders', id '5'");
                assertThat(written.get(5).at("/event/after/amount").asText()).isEqualTo("not a number either");
                long poison = Lsn.parse(written.get(5).path("lsn").asText());
                awaitTrue(() -> "t".equals(f.sqlValue("SELECT confirmed_flush_lsn > '" + Lsn.format(poison)
                        + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + f.slot() + "'")), WAIT,
                        "the slot, and so the stored offset, to pass the last poison event");

                client.del(cacheKey3);
                f.sql("UPDATE orders SET status = 'paid' WHERE id = 3");
                awaitTrue(() -> "paid".equals(client.hget(cacheKey3, "status")), WAIT, "row 3's newer version");
                sluice.stop();
            }

            try (RunningSluice again = RunningSluice.start(config, workDir.resolve("second.log"))) {
                again.awaitSlotActive(f, WAIT);
                f.sql("INSERT INTO orders VALUES (7, '70', 'new')");
                es.awaitDocuments("orders", docs -> docs.containsKey("7"), WAIT, "a row after the restart");
                again.stop();
            }
            assertThat(lines(letters)).as("no event dead-lettered again after the restart").hasSize(3);

            Outcome list = sluice("dead-letters", "list", "--config", config.toString());
            assertThat(list.exitCode()).as(list.output()).isZero();
            assertThat(list.output()).contains("Pipeline 'dlq_file', dead-letter file " + letters + ": 3 pending",
                    "sink elasticsearch: 2, oldest", "sink redis: 1, at", "1 of public.orders, newest");

            es.http.put("/" + es.index("orders") + "/_mapping", """
                    {"properties": {"amount": {"type": "long", "ignore_malformed": true}}}""");
            Outcome replay = sluice("dead-letters", "replay", "--config", config.toString(), "--pipeline",
                    "dlq_file");

            assertThat(replay.exitCode()).as(replay.output()).isZero();
            assertThat(replay.output()).contains("sink elasticsearch: 2 applied, 0 rejected again",
                    "sink redis: 1 applied, 0 rejected again");
            assertThat(lines(letters)).isEmpty();
            es.assertIndexEqualsTable("orders", "id::text",
                    "jsonb_build_object('id', id, 'amount', amount, 'status', status)");
            assertThat(client.hget(cacheKey3, "status")).as("the replayed older version").isEqualTo("paid");
            assertThat(cache.cached(client, "orders", RedisValueMode.HASH))
                    .isEqualTo(cache.expected("orders", 1, "SELECT id::text, amount, status FROM orders"));
        }
    }

    /**
     * The dead-letter topic, with its default name: a rejected event lands there keyed by table and key; a replay
     * before the cause is fixed writes it back with its new reason, and one after marks it done, so nothing is
     * pending any more.
     */
    @Test
    void poisonEventGoesToTheDeadLetterTopicAndAReplayMarksItDone() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "dlq_topic", workDir);
        RedisFixture cache = RedisFixture.sharing(f, redis);
        String cacheKey2 = cache.keyPrefix() + "items:2";
        String topic = "sluice.dlq_topic.dead-letters";
        f.sql("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'one'), (2, 'two')");
        String yaml = f.yaml("public.items", "", cache.sinkYaml(RedisValueMode.HASH) + "    on-failure: dead-letter\n",
                "file: " + f.offsets) + """
                    dead-letter:
                      kafka: {bootstrap-servers: "%s"}
                """.formatted(kafka.bootstrapServers());
        Path config = Files.writeString(workDir.resolve("dlq_topic.yaml"), yaml);
        PipelineConfig pipelineConfig = f.load(yaml);

        try (RedisClient client = cache.redisClient()) {
            client.rpush(cacheKey2, "in the way");
            try (Pipeline pipeline = new Pipeline(pipelineConfig, SinkFactory.create(pipelineConfig),
                    DeadLetterTargets.queue(pipelineConfig, Clock.systemUTC()), RedisFixture.FAST_RETRIES,
                    new Random())) {
                pipeline.start();
                awaitTrue(() -> "one".equals(client.hget(cache.keyPrefix() + "items:1", "name")), WAIT,
                        "the snapshot");
                f.sql("INSERT INTO items VALUES (3, 'three')");
                awaitTrue(() -> "three".equals(client.hget(cache.keyPrefix() + "items:3", "name")), WAIT,
                        "a row after the poison");

                // Row 3 came in a later batch than row 2, which was over only once the topic had its letter.
                assertThat(pipeline.deadLetteredCount()).isEqualTo(1);
            }
            List<Received> records;
            try (KafkaEvents events = KafkaEvents.ofTopics(kafka.bootstrapServers(), List.of(topic), WAIT)) {
                records = events.readToEnd(WAIT);
            }
            assertThat(records).singleElement().satisfies(record -> {
                assertThat(record.key().toString()).isEqualTo("{\"table\":\"public.items\",\"key\":{\"id\":2}}");
                assertLetter(record.value(), "redis", 2, "r", "WRONGTYPE");
            });

            Outcome tooEarly = sluice("dead-letters", "replay", "--config", config.toString(), "--pipeline",
                    "dlq_topic");
            assertThat(tooEarly.exitCode()).as(tooEarly.output()).isEqualTo(1);
            assertThat(tooEarly.output()).contains("sink redis: 0 applied, 1 rejected again");

            client.del(cacheKey2);
            Outcome replay = sluice("dead-letters", "replay", "--config", config.toString(), "--pipeline",
                    "dlq_topic");

            assertThat(replay.exitCode()).as(replay.output()).isZero();
            assertThat(replay.output()).contains("sink redis: 1 applied, 0 rejected again");
            assertThat(sluice("dead-letters", "list", "--config", config.toString()).output())
                    .contains("dead-letter topic '" + topic + "' (" + kafka.bootstrapServers() + "): 0 pending");
            assertThat(cache.cached(client, "items", RedisValueMode.HASH))
                    .isEqualTo(cache.expected("items", 1, "SELECT id::text, name FROM items"));
        }
    }

    private static void assertLetter(JsonNode letter, String sink, int id, String op, String error) {
        assertThat(letter.path("pipeline").asText()).isNotEmpty();
        assertThat(letter.path("sink").asText()).isEqualTo(sink);
        assertThat(letter.path("table").asText()).startsWith("public.");
        assertThat(letter.path("key").toString()).isEqualTo("{\"id\":" + id + "}");
        assertThat(letter.path("op").asText()).isEqualTo(op);
        assertThat(letter.path("error").asText()).contains(error);
        assertThat(Lsn.parse(letter.path("lsn").asText())).isPositive();
        assertThat(letter.path("failed_at").asText()).endsWith("Z");
        assertThat(letter.at("/event/key/id").asInt()).isEqualTo(id);
    }

    private static Outcome sluice(String... args) throws IOException, InterruptedException {
        return SluiceProcess.run(Map.of(), 60, args);
    }

    /** The dead-letter file's complete lines, parsed; none while it does not exist. */
    private static List<JsonNode> lines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            String content = Files.readString(file);
            // A line being appended right now is not complete yet.
            String complete = content.substring(0, content.lastIndexOf('\n') + 1);
            List<JsonNode> lines = new ArrayList<>();
            for (String line : complete.lines().toList()) {
                lines.add(JSON.readTree(line));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
