package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The admin endpoint of the packaged {@code sluice run} against real servers: the event counters agree with what
 * was written, readiness follows a sink going down and coming back, and the token guards everything but health.
 */
class AdminEndpointIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DELIVERED = "sluice_events_delivered_total";
    private static final String RECEIVED = "sluice_events_received_total";

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalRedis redis;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        // Persistent, so a restart keeps the cache and its marker; without them the Redis sink stops the pipeline.
        redis = LocalRedis.start(Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY));
    }

    @AfterAll
    static void stopServers() {
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void deliveredAndReceivedCountersEqualTheEventsWrittenPerTableAndSink() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "admin_counts", dir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "CREATE TABLE customers (id int PRIMARY KEY, name text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 5) g");
        Path config = write(f, f.yaml("public.orders, public.customers", "",
                f.kafkaSinkYaml() + RedisFixture.sharing(f, redis).sinkYaml(RedisValueMode.JSON),
                "file: " + f.offsets));

        try (RunningSluice sluice = RunningSluice.start(config, dir.resolve("counts.log"))) {
            Admin admin = new Admin(sluice);
            sluice.awaitSlotActive(f, WAIT);
            f.sql("INSERT INTO orders SELECT g, 'new' FROM generate_series(6, 25) g",
                    "INSERT INTO orders SELECT g, 'new' FROM generate_series(26, 45) g",
                    "UPDATE orders SET status = 'paid' WHERE id BETWEEN 1 AND 15",
                    "DELETE FROM orders WHERE id BETWEEN 41 AND 45",
                    "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g",
                    "UPDATE customers SET name = 'vip' WHERE id <= 3");
            // 5 snapshot reads, 40 inserts, 15 updates and 5 deletes; 10 inserts and 3 updates.
            Map<String, Integer> written = Map.of("public.orders", 65, "public.customers", 13);
            List<String> sinks = List.of("kafka", "redis");

            PrometheusText metrics = admin.awaitMetrics(m -> sinks.stream().allMatch(sink ->
                    written.entrySet().stream().allMatch(t -> m.sum(DELIVERED,
                            Map.of("sink", sink, "table", t.getKey())) >= t.getValue()))
                    && m.sum("sluice_queue_depth", Map.of()) == 0, "every event delivered to every sink");

            for (Map.Entry<String, Integer> table : written.entrySet()) {
                Map<String, String> labels = Map.of("pipeline", f.name, "table", table.getKey());
                assertThat(metrics.sum(RECEIVED, labels)).as("received " + table)
                        .isEqualTo(table.getValue().doubleValue());
                for (String sink : sinks) {
                    assertThat(metrics.sum(DELIVERED, Map.of("pipeline", f.name, "table", table.getKey(),
                            "sink", sink))).as("delivered to " + sink + ", " + table).isEqualTo(table.getValue().doubleValue());
                }
            }
            assertThat(metrics.labelValues(DELIVERED, "sink")).containsExactlyInAnyOrderElementsOf(sinks);
            assertThat(metrics.sum("sluice_events_filtered_total", Map.of())).isZero();
            for (String sink : sinks) {
                Map<String, String> labels = Map.of("pipeline", f.name, "sink", sink);
                assertThat(metrics.sum("sluice_end_to_end_latency_seconds_count", labels)).as(sink)
                        .isEqualTo(78 - 5);
                assertThat(metrics.sum("sluice_sink_batch_size_sum", labels)).as(sink).isGreaterThanOrEqualTo(78);
                assertThat(metrics.sum("sluice_sink_up", labels)).as(sink).isEqualTo(1);
                assertThat(metrics.sum("sluice_sink_failures_total", labels)).as(sink).isZero();
            }
            assertThat(metrics.sum("sluice_pipeline_state", Map.of("pipeline", f.name, "state", "streaming")))
                    .isEqualTo(1);
            assertThat(metrics.sum("jvm_memory_used_bytes", Map.of())).isPositive();

            JsonNode status = admin.pipelineStatus(f.name);
            assertThat(status.path("events_received").asLong()).isEqualTo(78);
            assertThat(status.path("events_acknowledged").asLong()).isEqualTo(78);
            assertThat(status.path("last_acknowledged_lsn").asText()).isEqualTo(status.path("last_received_lsn")
                    .asText()).matches("[0-9A-F]+/[0-9A-F]+");
            sluice.stop();
        }
    }

    @Test
    void readinessIsDownWhileASinkIsDownAndUpAgainOnceItIsBack() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "admin_ready", dir);
        RedisFixture cache = RedisFixture.sharing(f, redis);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        String redisSink = cache.sinkYaml(RedisValueMode.JSON) + "    retry: {initial-backoff: 100ms, max-backoff: 1s}\n";
        Path config = write(f, f.yaml("public.orders", "", f.kafkaSinkYaml() + redisSink, "file: " + f.offsets));

        try (RunningSluice sluice = RunningSluice.start(config, dir.resolve("ready.log"));
                RedisClient client = cache.redisClient()) {
            Admin admin = new Admin(sluice);
            sluice.awaitSlotActive(f, WAIT);
            f.sql("INSERT INTO orders VALUES (1, 'before the outage')");
            admin.awaitMetrics(m -> m.sum(DELIVERED, Map.of("sink", "redis")) == 1, "the first row in redis");
            admin.awaitReady(200);

            redis.stop();
            Instant down = Instant.now();
            f.sql("INSERT INTO orders SELECT g, 'during the outage' FROM generate_series(2, 11) g");
            HttpResponse<String> notReady = admin.awaitReady(503);
            long detectedMillis = Duration.between(down, Instant.now()).toMillis();

            JsonNode reasons = JSON.readTree(notReady.body()).path("not_ready");
            assertThat(reasons).hasSize(1);
            assertThat(reasons.get(0).path("pipeline").asText()).isEqualTo(f.name);
            assertThat(reasons.get(0).path("sink").asText()).isEqualTo("redis");
            assertThat(reasons.get(0).path("reason").asText()).startsWith("retrying since ")
                    .contains("127.0.0.1:" + redis.port());
            JsonNode status = admin.pipelineStatus(f.name);
            assertThat(status.path("state").asText()).isEqualTo("streaming");
            assertThat(status.path("ready").asBoolean()).isFalse();
            assertThat(sink(status, "kafka").path("health").asText()).isEqualTo("up");
            JsonNode redisHealth = sink(status, "redis");
            assertThat(redisHealth.path("health").asText()).isEqualTo("retrying");
            assertThat(redisHealth.path("last_problem").asText()).contains("127.0.0.1:" + redis.port());
            assertThat(status.path("last_error").path("message").asText()).startsWith("sink redis: ");
            assertThat(status.path("queue_depth").asLong()).as("the batch waiting for redis").isEqualTo(10);
            PrometheusText during = admin.scrape(null);
            assertThat(during.sum("sluice_sink_up", Map.of("sink", "redis"))).isZero();
            assertThat(during.sum("sluice_sink_up", Map.of("sink", "kafka"))).isEqualTo(1);
            assertThat(during.sum("sluice_sink_retries_total", Map.of("sink", "redis"))).isPositive();

            redis.restart();
            Instant back = Instant.now();
            admin.awaitReady(200);
            long recoveredMillis = Duration.between(back, Instant.now()).toMillis();
            System.out.printf("admin-endpoint figures: readiness 503 %d ms after Redis stopped (with a write),"
                    + " 200 %d ms after it restarted%n", detectedMillis, recoveredMillis);

            JsonNode after = admin.pipelineStatus(f.name);
            assertThat(sink(after, "redis").path("health").asText()).isEqualTo("up");
            assertThat(sink(after, "redis").path("last_problem").asText()).as("kept after recovery").isNotEmpty();
            RedisFixture.awaitTrue(() -> cache.cached(client, "orders", RedisValueMode.JSON).size() == 11, WAIT,
                    "the rows written during the outage in Redis");
            admin.awaitMetrics(m -> m.sum(DELIVERED, Map.of("sink", "redis")) == 11,
                    "11 events delivered to redis");
            sluice.stop();
        }
    }

    @Test
    void theTokenIsNeededForMetricsAndStatusButNotForHealth() throws Exception {
        String token = "it-" + UUID.randomUUID();
        SluiceFixture f = new SluiceFixture(postgres, kafka, "admin_token", dir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 3) g");
        String yaml = f.yaml("public.orders", "", f.kafkaSinkYaml(), "file: " + f.offsets)
                .replace(SluiceFixture.ADMIN_ON_ANY_PORT, "admin: {port: 0, token: \"" + token + "\"}");
        Path config = dir.resolve("token.yaml");
        Files.writeString(config, yaml);

        try (RunningSluice sluice = RunningSluice.start(config, dir.resolve("token.log"))) {
            Admin admin = new Admin(sluice);
            sluice.awaitSlotActive(f, WAIT);

            assertThat(admin.get("/health/live", null).statusCode()).isEqualTo(200);
            assertThat(admin.get("/health/ready", null).statusCode()).isIn(200, 503);
            for (String path : List.of("/metrics", "/status")) {
                assertThat(admin.get(path, null).statusCode()).as(path + " without a token").isEqualTo(401);
                assertThat(admin.get(path, "wrong-" + token).statusCode()).as(path + " with a wrong token")
                        .isEqualTo(401);
                HttpResponse<String> allowed = admin.get(path, token);
                assertThat(allowed.statusCode()).as(path + " with the token").isEqualTo(200);
                assertThat(allowed.body()).contains(f.name).doesNotContain(token);
            }
            assertThat(admin.get("/metrics", token).body()).contains(RECEIVED);
            sluice.stop();
            assertThat(sluice.output()).as("the log").doesNotContain(token);
        }
    }

    private static Path write(SluiceFixture f, String yaml) throws IOException {
        Path config = f.workDir.resolve(f.name + ".yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /** The admin endpoint of a running Sluice, whose log a failed request shows. */
    private final class Admin {
        private final URI uri;
        private final RunningSluice sluice;

        Admin(RunningSluice sluice) throws IOException, InterruptedException {
            this.sluice = sluice;
            this.uri = URI.create("http://127.0.0.1:" + sluice.adminPort(WAIT));
        }

        HttpResponse<String> get(String path, String token) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new AssertionError("GET " + path + " failed (" + e + "); sluice's output:\n" + output(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        PrometheusText scrape(String token) {
            HttpResponse<String> response = get("/metrics", token);
            assertThat(response.statusCode()).as("/metrics").isEqualTo(200);
            return PrometheusText.parse(response.body());
        }

        PrometheusText awaitMetrics(Predicate<PrometheusText> done, String what) {
            PrometheusText[] last = new PrometheusText[1];
            RedisFixture.awaitTrue(() -> done.test(last[0] = scrape(null)), WAIT, what);
            return last[0];
        }

        HttpResponse<String> awaitReady(int status) {
            @SuppressWarnings("unchecked")
            HttpResponse<String>[] last = new HttpResponse[1];
            RedisFixture.awaitTrue(() -> (last[0] = get("/health/ready", null)).statusCode() == status, WAIT,
                    "/health/ready answering " + status);
            return last[0];
        }

        JsonNode pipelineStatus(String pipeline) throws IOException {
            HttpResponse<String> response = get("/status", null);
            assertThat(response.statusCode()).as("/status").isEqualTo(200);
            return StreamSupport.stream(JSON.readTree(response.body()).path("pipelines").spliterator(), false)
                    .filter(p -> p.path("name").asText().equals(pipeline)).findFirst()
                    .orElseThrow(() -> new AssertionError("no pipeline " + pipeline + " in " + response.body()));
        }

        private String output() {
            try {
                return sluice.output();
            } catch (IOException e) {
                return "<unreadable: " + e + ">";
            }
        }
    }

    private static JsonNode sink(JsonNode pipelineStatus, String sink) {
        return StreamSupport.stream(pipelineStatus.path("sinks").spliterator(), false)
                .filter(s -> s.path("name").asText().equals(sink)).findFirst()
                .orElseThrow(() -> new AssertionError("no sink " + sink + " in " + pipelineStatus));
    }
}
