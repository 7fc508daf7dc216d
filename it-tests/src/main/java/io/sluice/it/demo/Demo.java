package io.sluice.it.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.event.Lsn;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import redis.clients.jedis.RedisClient;

/**
 * The README's demo: starts a throwaway PostgreSQL, Kafka, Elasticsearch and Redis, creates a small shop database,
 * runs Sluice's real command line on a pipelines file with a sink of each kind, makes some changes, and prints the
 * events that reached Kafka, the documents Elasticsearch holds and the rows cached in Redis.
 *
 * <p>Usage: {@code Demo <repository root>}; everything it writes goes to {@code <root>/.demo/}.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT = System.out;
    private static final String PASSWORD = "demo-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path work = root.resolve(".demo");
        Files.createDirectories(work);
        Files.deleteIfExists(work.resolve("shop.offsets"));
        Path jar = root.resolve("app/target/sluice.jar");

        step("Starting a throwaway PostgreSQL, Kafka, Elasticsearch and Redis on free ports");
        try (LocalPostgres postgres = LocalPostgres.start(); LocalKafka kafka = LocalKafka.start();
                LocalElasticsearch elasticsearch = LocalElasticsearch.start();
                LocalRedis redis = LocalRedis.start(LocalRedis.Options.DEFAULT
                        .withPersistence(LocalRedis.Persistence.APPEND_ONLY))) {
            OUT.printf("  PostgreSQL %d on 127.0.0.1:%d, Kafka on %s, Elasticsearch on %s, Redis on 127.0.0.1:%d%n",
                    postgres.majorVersion(), postgres.port(), kafka.bootstrapServers(), elasticsearch.url(),
                    redis.port());
            createShop(postgres);

            Path config = work.resolve("pipelines.yaml");
            Files.writeString(config, pipelinesYaml(postgres, kafka, elasticsearch, redis, work));
            step("Running: sluice run --config " + root.relativize(config) + "   (log: "
                    + root.relativize(work.resolve("sluice.log")) + ")");
            Process sluice = startSluice(jar, config, work.resolve("sluice.log"));
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.bootstrapServers())) {
                List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
                await(consumer, seen, 5, sluice, work);
                printEvents("Snapshot of the existing rows", seen, 0);

                step("Changing rows in PostgreSQL");
                String[] changes = {
                    "INSERT INTO orders (customer_id, status, amount) VALUES (2, 'new', 99.90)",
                    "UPDATE orders SET status = 'paid', updated_at = now() WHERE id = 1",
                    "BEGIN; UPDATE customers SET email = 'grace@navy.mil' WHERE id = 2;"
                            + " UPDATE orders SET status = 'shipped' WHERE id = 2; COMMIT",
                    "DELETE FROM orders WHERE id = 1",
                };
                for (String sql : changes) {
                    OUT.println("  " + sql);
                    postgres.execute("shop", sql);
                }
                int before = seen.size();
                // 5 changes, plus the tombstone that follows the delete.
                await(consumer, seen, before + 6, sluice, work);
                printEvents("Streamed changes, in commit order", seen, before);
                printDocuments(elasticsearch, sluice, work);
                printCache(redis, sluice, work);
            } finally {
                sluice.destroy();
                sluice.waitFor(30, TimeUnit.SECONDS);
            }
            step("Done. Sluice stopped; its offsets are in " + root.relativize(work.resolve("shop.offsets"))
                    + ". The servers are removed now.");
        }
    }

    private static void createShop(LocalPostgres postgres) {
        postgres.createDatabase("shop");
        postgres.createRole("sluice", PASSWORD, true);
        postgres.execute("shop",
                "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers,"
                        + " status text NOT NULL, amount numeric(12,2), note text,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())",
                "ALTER TABLE customers OWNER TO sluice",
                "ALTER TABLE orders OWNER TO sluice",
                "GRANT CREATE ON DATABASE shop TO sluice",
                "INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'),"
                        + " ('Grace', 'grace@example.com'), ('Linus', 'linus@example.com')",
                "INSERT INTO orders (customer_id, status, amount) VALUES (1, 'new', 12.50), (2, 'new', 1024.00)");
        OUT.println("  database shop: customers (3 rows), orders (2 rows); role sluice with REPLICATION");
    }

    private static String pipelinesYaml(LocalPostgres postgres, LocalKafka kafka, LocalElasticsearch elasticsearch,
            LocalRedis redis, Path work) {
        return """
                # Written by the Sluice demo. The password comes from the environment.
                pipelines:
                  - name: shop
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: shop
                        user: sluice
                        password: ${PG_PASSWORD}
                        slot: sluice_shop
                        publication: sluice_shop
                        tables: [public.customers, public.orders]
                        snapshot: initial
                    sinks:
                      - kafka:
                          bootstrap-servers: %s
                          topic: "shop.{schema}.{table}"
                      - elasticsearch:
                          urls: [%s]
                          index: "shop_{table}"
                      - redis:
                          host: 127.0.0.1
                          port: %d
                          key: "shop:{table}:{key}"
                          value: json
                    offsets:
                      file: %s
                """.formatted(postgres.port(), kafka.bootstrapServers(), elasticsearch.url(), redis.port(),
                work.resolve("shop.offsets"));
    }

    private static Process startSluice(Path jar, Path config, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "run", "--config", config.toString());
        builder.environment().put("PG_PASSWORD", PASSWORD);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "sluice-demo",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(Pattern.compile("shop\\..*"));
        return consumer;
    }

    private static void await(KafkaConsumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> seen,
            int count, Process sluice, Path work) throws IOException {
        Instant deadline = Instant.now().plus(WAIT);
        while (seen.size() < count) {
            if (!sluice.isAlive()) {
                throw new IllegalStateException("Sluice exited with code " + sluice.exitValue() + ":\n"
                        + Files.readString(work.resolve("sluice.log")));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no events after " + WAIT.toSeconds() + "s; see "
                        + work.resolve("sluice.log"));
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
    }

    private static void printEvents(String title, List<ConsumerRecord<byte[], byte[]>> seen, int from)
            throws IOException {
        step(title);
        String format = "  %-21s %-9s %-10s %-13s %s%n";
        OUT.printf(format, "TOPIC", "OP", "KEY", "COMMIT LSN", "ROW AFTER THE CHANGE");
        // Topics are read in parallel; the headers put the records back in commit order for display.
        List<ConsumerRecord<byte[], byte[]>> ordered = new ArrayList<>(seen.subList(from, seen.size()));
        ordered.sort(Comparator
                .<ConsumerRecord<byte[], byte[]>>comparingLong(r -> Long.parseLong(header(r, "sluice.version")))
                .thenComparingLong(r -> Lsn.parse(header(r, "sluice.lsn")))
                .thenComparing(r -> r.value() == null));
        for (ConsumerRecord<byte[], byte[]> record : ordered) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                OUT.printf(format, record.topic(), "tombstone", key, "", "(null value: compaction forgets the row)");
                continue;
            }
            JsonNode event = JSON.readTree(record.value());
            String op = switch (event.path("op").asText()) {
                case "r" -> "snapshot";
                case "c" -> "insert";
                case "u" -> "update";
                case "d" -> "delete";
                case "t" -> "truncate";
                default -> event.path("op").asText();
            };
            JsonNode after = event.path("after");
            String row = after.isNull() ? "(deleted; before: " + event.path("before") + ")" : after.toString();
            OUT.printf(format, record.topic(), op, key, event.path("source").path("commit_lsn").asText(),
                    row.length() > 90 ? row.substring(0, 87) + "..." : row);
        }
    }

    /**
     * The orders index once it reflects the last change (order 1 deleted, order 2 shipped): one document per row,
     * with the commit-ordered version Sluice wrote it with.
     */
    private static void printDocuments(LocalElasticsearch elasticsearch, Process sluice, Path work)
            throws IOException, InterruptedException {
        step("Documents in Elasticsearch index shop_orders (one per row, _version = commit LSN)");
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(WAIT);
        JsonNode hits;
        while (true) {
            send(http, "POST", elasticsearch.url() + "/shop_orders/_refresh");
            hits = JSON.readTree(send(http, "GET", elasticsearch.url() + "/shop_orders/_search?version=true"))
                    .path("hits").path("hits");
            String all = hits.toString();
            if (!all.contains("\"_id\":\"1\"") && all.contains("shipped")) {
                break;
            }
            if (!sluice.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the index did not reflect the changes; see "
                        + work.resolve("sluice.log"));
            }
            Thread.sleep(200);
        }
        String format = "  %-4s %-13s %s%n";
        OUT.printf(format, "_ID", "_VERSION", "_SOURCE");
        for (JsonNode hit : hits) {
            OUT.printf(format, hit.path("_id").asText(), Lsn.format(hit.path("_version").asLong()),
                    hit.path("_source").toString());
        }
    }

    private static String send(HttpClient http, String method, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The rows Redis caches once it reflects the last change (order 1 deleted): the sinks are written in parallel,
     * so the cache may trail Kafka by a moment.
     */
    private static void printCache(LocalRedis redis, Process sluice, Path work) throws IOException {
        step("Rows cached in Redis (key template shop:{table}:{key}, JSON values; deleted rows are gone)");
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            Instant deadline = Instant.now().plus(WAIT);
            while (client.exists("shop:orders:1")) {
                if (!sluice.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Redis did not catch up; see " + work.resolve("sluice.log"));
                }
                pause();
            }
            List<String> keys = new ArrayList<>(client.keys("shop:*"));
            keys.sort(Comparator.naturalOrder());
            for (String key : keys) {
                String row = client.get(key);
                OUT.printf("  %-16s %s%n", key, row.length() > 100 ? row.substring(0, 97) + "..." : row);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static void step(String text) {
        OUT.println();
        OUT.println("== " + text);
    }
}
