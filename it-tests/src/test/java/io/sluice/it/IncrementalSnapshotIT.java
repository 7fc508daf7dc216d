package io.sluice.it;

import static io.sluice.it.RedisFixture.awaitEqual;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.SinkFactory;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineException;
import io.sluice.engine.PipelineState;
import io.sluice.engine.RetryPolicy;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Re-snapshotting one table of a running pipeline through the signal table, against real PostgreSQL, Kafka and
 * Redis, while a writer keeps changing the table: every row is delivered again, and no re-read value, read before
 * an update committed, outranks that update in any sink (the race of ARCHITECTURE.md's version rule).
 */
class IncrementalSnapshotIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 3_000;
    /** Rows the writer changes while the table is re-read; the others must all be read again. */
    private static final int HOT_ROWS = 200;
    private static final String ORDERS_JSON = "jsonb_build_object('id', id, 'status', status, 'revision', revision)";

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalRedis redis;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable server : new AutoCloseable[] {redis, kafka, postgres}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void resnapshotOfOneTableUnderConcurrentWritesLeavesEverySinkEqualToTheSource() throws Exception {
        RedisFixture f = new RedisFixture(postgres, redis, "resnap", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, revision int NOT NULL)",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE sluice_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data text)",
                "INSERT INTO orders SELECT g, 'new', 0 FROM generate_series(1, " + ROWS + ") g",
                "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 10) g");
        PipelineConfig config = config(f);

        try (Pipeline pipeline = start(config); KafkaEvents events = new KafkaEvents(kafka.bootstrapServers(),
                topicPrefix(f)); RedisClient client = f.redisClient()) {
            List<Received> initial = events.awaitCount(ROWS + 10, WAIT);
            long snapshotVersion = initial.stream().mapToLong(Received::version).max().orElseThrow();

            Writer writer = new Writer(f);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(writer);
            f.sql("INSERT INTO sluice_signal VALUES ('resnapshot-orders', 'execute-snapshot',"
                    + " '{\"data-collections\": [\"public.orders\"], \"type\": \"incremental\"}')");
            List<Received> all = events.awaitUntil(r -> rereadIds(r, snapshotVersion).size() >= ROWS - HOT_ROWS,
                    WAIT, "every row the writer left alone read again");
            writer.stop.set(true);
            writing.get(60, TimeUnit.SECONDS);
            // A last change in each topic: a topic's records arrive in order, topics independently of each other.
            f.sql("UPDATE customers SET name = 'done' WHERE id = 1",
                    "UPDATE orders SET status = 'done' WHERE id = " + ROWS);
            all = events.awaitUntil(r -> r.stream().filter(e -> !e.isTombstone() && (e.after().path("name")
                    .asText().equals("done") || e.after().path("status").asText().equals("done"))).count() == 2,
                    WAIT, "the last change of each table");

            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
            assertThat(writer.changes.get()).as("changes made while the table was read again").isGreaterThan(50);
            Set<Integer> reread = rereadIds(all, snapshotVersion);
            assertThat(reread).as("rows read again").contains(HOT_ROWS + 1, ROWS);
            assertThat(all.stream().filter(r -> !r.isTombstone() && r.topic().endsWith("customers")
                    && r.op().equals("r"))).as("the other table is not read again").hasSize(10);

            // Kafka: what a consumer keeping the highest version per key holds is the table.
            assertThat(newestPerKey(all, "public.orders"))
                    .containsExactlyInAnyOrderEntriesOf(rows(f, "orders", ORDERS_JSON));
            assertThat(newestPerKey(all, "public.customers"))
                    .containsExactlyInAnyOrderEntriesOf(rows(f, "customers", "jsonb_build_object('id', id, 'name', name)"));
            // Redis holds the table.
            awaitEqual(() -> f.cached(client, "orders", RedisValueMode.HASH),
                    () -> expected(f, "orders", "SELECT id, status, revision FROM orders"), WAIT, "the orders in Redis");
            awaitEqual(() -> f.cached(client, "customers", RedisValueMode.HASH),
                    () -> expected(f, "customers", "SELECT id, name FROM customers"), WAIT, "the customers in Redis");

            // The signal table's rows (the signal and the watermarks) reach no sink.
            assertThat(all).noneMatch(r -> r.topic().contains("sluice_signal"));
            assertThat(RedisFixture.scan(client, "*sluice_signal*")).isEmpty();
            assertThat(rows(f, "sluice_signal", "jsonb_build_object('type', type)")).hasSizeGreaterThan(2);
        }
    }

    @Test
    void missingOrMisshapedSignalTableStopsTheStartWithTheTableToCreate() throws Exception {
        RedisFixture f = new RedisFixture(postgres, redis, "bad_signal", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY)", "CREATE TABLE customers (id int PRIMARY KEY)");
        String create = "CREATE TABLE public.sluice_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL,"
                + " data text)";

        assertThatThrownBy(() -> start(config(f)).close()).isInstanceOf(PipelineException.class)
                .hasMessageContaining("pipeline 'bad_signal'")
                .hasMessageContaining("signal table public.sluice_signal does not exist")
                .hasMessageContaining(create);

        f.sql("CREATE TABLE sluice_signal (id int PRIMARY KEY, type text, data jsonb, extra text)");
        assertThatThrownBy(() -> start(config(f)).close()).isInstanceOf(PipelineException.class)
                .hasMessageContaining("has columns (id integer, type text, data jsonb, extra text)")
                .hasMessageContaining("exactly three text columns")
                .hasMessageContaining(create);

        f.sql("DROP TABLE sluice_signal", create);
        postgres.createRole("signaller", "signaller-pw", true);
        f.sql("GRANT SELECT ON orders, customers TO signaller");
        PipelineConfig asSignaller = new ConfigLoader(variable -> null).load(yamlOf(f)
                .replace("user: " + LocalPostgres.SUPERUSER, "user: signaller")
                .replace("password: unused", "password: signaller-pw"), "bad_signal.yaml").pipelines().get(0);
        assertThatThrownBy(() -> start(asSignaller).close()).isInstanceOf(PipelineException.class)
                .hasMessageContaining("user 'signaller' may not read and insert into it")
                .hasMessageContaining("GRANT SELECT, INSERT ON public.sluice_signal TO signaller");
    }

    /** Ids of orders read by the incremental snapshot: reads newer than the initial snapshot. */
    private static Set<Integer> rereadIds(List<Received> received, long snapshotVersion) {
        return received.stream()
                .filter(r -> !r.isTombstone() && r.topic().endsWith("public.orders") && r.op().equals("r")
                        && r.version() > snapshotVersion)
                .map(r -> r.key().path("id").asInt())
                .collect(Collectors.toSet());
    }

    /**
     * Per key, the record with the highest version (the later one among equal versions), as a consumer applying
     * the version rule keeps it; keys whose newest record is a delete are absent.
     */
    private static Map<String, JsonNode> newestPerKey(List<Received> received, String table) {
        Map<String, Received> newest = new HashMap<>();
        for (Received r : received) {
            if (r.isTombstone() || !r.topic().endsWith(table)) {
                continue;
            }
            newest.merge(r.key().toString(), r, (old, now) -> now.version() >= old.version() ? now : old);
        }
        Map<String, JsonNode> rows = new TreeMap<>();
        newest.forEach((key, r) -> {
            if (!r.op().equals("d")) {
                rows.put(key, r.after());
            }
        });
        return rows;
    }

    private static Map<String, JsonNode> rows(RedisFixture f, String table, String json) throws Exception {
        Map<String, JsonNode> rows = new TreeMap<>();
        try (Connection c = postgres.connect(f.name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT '{\"id\":' || id || '}', (" + json + ")::text FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getString(1), JSON.readTree(rs.getString(2)));
            }
        }
        return rows;
    }

    private static Map<String, Map<String, String>> expected(RedisFixture f, String table, String query) {
        try {
            return f.expected(table, 1, query);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String topicPrefix(RedisFixture f) {
        return "it." + f.name + ".";
    }

    private static PipelineConfig config(RedisFixture f) throws Exception {
        return new ConfigLoader(variable -> null).load(yamlOf(f), f.name + ".yaml").pipelines().get(0);
    }

    private static String yamlOf(RedisFixture f) {
        return """
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: %s
                        user: %s
                        password: unused
                        slot: %s_slot
                        publication: %s_pub
                        tables: [public.orders, public.customers]
                        signal-table: public.sluice_signal
                    sinks:
                      - kafka:
                          bootstrap-servers: %s
                          topic: "%s{schema}.{table}"
                      - redis:
                          host: %s
                          port: %d
                          key: "%s{table}:{key}"
                          value: hash
                    offsets:
                      file: %s
                """.formatted(f.name, postgres.port(), f.name, LocalPostgres.SUPERUSER, f.name, f.name,
                kafka.bootstrapServers(), topicPrefix(f), redis.host(), redis.port(), f.keyPrefix(),
                f.workDir.resolve(f.name + ".offsets"));
    }

    private static Pipeline start(PipelineConfig config) throws Exception {
        Pipeline pipeline = new Pipeline(config, SinkFactory.create(config), RetryPolicy.DEFAULT, new Random());
        pipeline.start();
        return pipeline;
    }

    /**
     * Keeps changing the first {@link #HOT_ROWS} orders in small transactions until stopped: updates, and now and
     * then a delete with a re-insert under a new id in one transaction.
     */
    private static final class Writer implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger changes = new AtomicInteger();
        private final RedisFixture f;

        Writer(RedisFixture f) {
            this.f = f;
        }

        @Override
        public void run() {
            Random random = new Random(7);
            try (Connection c = postgres.connect(f.name);
                    PreparedStatement update = c.prepareStatement("UPDATE orders SET revision = revision + 1,"
                            + " status = 'changed ' || (revision + 1) WHERE id = ?");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM orders WHERE id = ?");
                    PreparedStatement insert = c.prepareStatement("INSERT INTO orders VALUES (?, 'moved', 0)")) {
                int next = ROWS + 1;
                while (!stop.get()) {
                    int id = 1 + random.nextInt(HOT_ROWS);
                    if (changes.get() % 25 == 24) {
                        c.setAutoCommit(false);
                        delete.setInt(1, id);
                        delete.executeUpdate();
                        insert.setInt(1, next++);
                        insert.executeUpdate();
                        c.commit();
                        c.setAutoCommit(true);
                    } else {
                        update.setInt(1, id);
                        update.executeUpdate();
                    }
                    changes.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
