package io.sluice.it;

import static io.sluice.it.RedisFixture.awaitEqual;
import static io.sluice.it.RedisFixture.awaitTrue;
import static io.sluice.it.RedisFixture.row;
import static io.sluice.it.RedisFixture.versionKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineException;
import io.sluice.engine.PipelineState;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import io.sluice.sink.redis.RedisCacheSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/**
 * PostgreSQL WAL to a Redis cache through the whole pipeline, against real servers: every key ends equal to its
 * source row, replays change nothing, the snapshot race ends with the committed value, and Redis restarts are
 * survived when Redis keeps its data and reported when it does not.
 */
class RedisPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalPostgres postgres;
    /** Keeps an append-only file, so a graceful restart loses nothing. */
    private static LocalRedis redis;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        redis = LocalRedis.start(Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY));
    }

    @AfterAll
    static void stopServers() {
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisValueMode.class)
    void snapshotAndEveryKindOfChangeLeaveEachKeyEqualToItsRow(RedisValueMode mode) throws Exception {
        RedisFixture f = new RedisFixture(postgres, redis, "rows_" + mode.yamlName(), workDir);
        f.sql("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, amount numeric(12,2),"
                        + " paid boolean, note text)",
                "CREATE TABLE order_lines (order_id bigint, sku text, qty int NOT NULL, PRIMARY KEY (order_id, sku))",
                "CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                // EXTERNAL keeps the large value out of line and uncompressed, so it is TOASTed for sure.
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO orders VALUES (1, 'new', 10.00, false, 'first'), (2, 'new', 20.50, false, NULL),"
                        + " (3, 'new', 30.25, true, 'third')",
                "INSERT INTO order_lines VALUES (1, 'A-1', 1), (1, 'B:2', 2), (2, 'A-1', 5)",
                "INSERT INTO docs SELECT 1, 'first', string_agg(md5(g::text), '') FROM generate_series(1, 400) g");
        PipelineConfig config = f.config(f.name, "public.orders, public.order_lines, public.docs", mode, "");
        String orders = "SELECT id::text, status, amount::text, paid::text, note FROM orders";
        String lines = "SELECT order_id::text, sku, qty::text FROM order_lines";
        String docs = "SELECT id::text, title, body FROM docs";

        try (RedisClient client = f.redisClient(); Pipeline pipeline = f.start(config, RedisFixture.sinkFor(config))) {
            awaitEqual(() -> f.cached(client, "orders", mode), () -> expected(f, "orders", 1, orders), WAIT,
                    "orders after the snapshot");
            f.sql("INSERT INTO orders VALUES (4, 'new', 40.00, NULL, 'fourth')",
                    "UPDATE orders SET status = 'paid', paid = true, note = NULL WHERE id = 1",
                    "BEGIN; UPDATE orders SET status = 'packed' WHERE id = 2;"
                            + " UPDATE orders SET status = 'shipped', amount = 21.00 WHERE id = 2; COMMIT",
                    "UPDATE orders SET id = 30 WHERE id = 3",
                    "INSERT INTO orders VALUES (5, 'gone', 1.00, false, NULL)",
                    "DELETE FROM orders WHERE id = 5",
                    "INSERT INTO order_lines VALUES (2, 'C:3', 1)",
                    "UPDATE order_lines SET qty = 7 WHERE order_id = 1 AND sku = 'B:2'",
                    "DELETE FROM order_lines WHERE order_id = 1 AND sku = 'A-1'",
                    "UPDATE docs SET title = 'second' WHERE id = 1");

            awaitEqual(() -> f.cached(client, "orders", mode), () -> expected(f, "orders", 1, orders), WAIT,
                    "orders after the changes");
            awaitEqual(() -> f.cached(client, "order_lines", mode), () -> expected(f, "order_lines", 2, lines),
                    WAIT, "order lines after the changes");
            awaitEqual(() -> f.cached(client, "docs", mode), () -> expected(f, "docs", 1, docs), WAIT,
                    "docs after an update that left the TOASTed body out");

            String prefix = f.keyPrefix();
            // Composite keys in key column order, a colon inside a value percent-encoded.
            assertThat(f.cached(client, "order_lines", mode)).containsKeys(prefix + "order_lines:1:B%3A2",
                    prefix + "order_lines:2:C%3A3", prefix + "order_lines:2:A-1");
            assertThat(f.cached(client, "order_lines", mode).get(prefix + "order_lines:1:B%3A2"))
                    .isEqualTo(row("order_id", "1", "sku", "B:2", "qty", "7"));
            // Deleted rows, the old key of the moved row included, are gone and leave their delete markers.
            for (String deleted : new String[] {"orders:3", "orders:5", "order_lines:1:A-1"}) {
                assertThat(client.exists(prefix + deleted)).as(deleted).isFalse();
                assertThat(client.pttl(versionKey(prefix + deleted))).as("marker of %s", deleted).isPositive();
            }
            assertThat(f.cached(client, "docs", mode).get(prefix + "docs:1").get("body")).hasSize(400 * 32);
            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
        }
    }

    @Test
    void replayFromAnEarlierPositionLeavesTheSameStateAndNeverResurrectsADeletedRow() throws Exception {
        RedisValueMode mode = RedisValueMode.JSON;
        RedisFixture f = new RedisFixture(postgres, redis, "replay", workDir);
        f.sql("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 20) g",
                "CREATE PUBLICATION replay_pub FOR TABLE items",
                // A second slot from before every change: reading it later replays them all, as a Sluice that
                // lost its offsets (or a rewound one) would.
                "SELECT pg_create_logical_replication_slot('rewound_slot', 'pgoutput')");
        PipelineConfig first = f.config(f.name, "public.items", mode, "");
        PipelineConfig rewound = f.config("rewound", "public.items", mode, "snapshot: never");
        String items = "SELECT id::text, name, qty::text FROM items";
        int changes = 0;

        Map<String, String> afterFirstRun;
        try (RedisClient client = f.redisClient()) {
            try (Pipeline pipeline = f.start(first, RedisFixture.sinkFor(first))) {
                awaitEqual(() -> f.cached(client, "items", mode), () -> expected(f, "items", 1, items), WAIT,
                        "items after the snapshot");
                f.sql("UPDATE items SET qty = qty + 100 WHERE id <= 5",
                        "BEGIN; UPDATE items SET name = 'renamed' WHERE id = 6;"
                                + " UPDATE items SET name = 'renamed twice' WHERE id = 6; COMMIT",
                        "INSERT INTO items VALUES (21, 'new', 1)",
                        "UPDATE items SET qty = 2 WHERE id = 21",
                        "DELETE FROM items WHERE id = 21",
                        "DELETE FROM items WHERE id IN (7, 8)",
                        "UPDATE items SET qty = 0 WHERE id = 1");
                changes = 5 + 2 + 1 + 1 + 1 + 2 + 1;
                awaitEqual(() -> f.cached(client, "items", mode), () -> expected(f, "items", 1, items), WAIT,
                        "items after the changes");
            }
            afterFirstRun = f.snapshotOfAllKeys(client, mode);
            assertThat(afterFirstRun).doesNotContainKey(f.keyPrefix() + "items:21")
                    .containsKey(versionKey(f.keyPrefix() + "items:21"));

            RedisCacheSink replaying = RedisFixture.sinkFor(rewound);
            int expectedEvents = changes;
            try (Pipeline pipeline = f.start(rewound, replaying)) {
                awaitTrue(() -> replaying.appliedCount() + replaying.olderSkippedCount() >= expectedEvents, WAIT,
                        "the replay of " + expectedEvents + " changes");
            }

            // Every change came again; the older ones (e.g. the first updates of rows changed twice, the insert
            // and update of the deleted row 21) changed nothing, the latest ones rewrote what was there.
            assertThat(replaying.appliedCount() + replaying.olderSkippedCount()).isEqualTo(changes);
            assertThat(replaying.olderSkippedCount()).isEqualTo(3);
            assertThat(f.cached(client, "items", mode)).isEqualTo(expected(f, "items", 1, items));
            // Data keys and version keys alike (a replayed delete renews its marker's expiry, not its version).
            assertThat(f.snapshotOfAllKeys(client, mode)).isEqualTo(afterFirstRun);
        }
    }

    @Test
    void transactionCommittedAfterTheSnapshotReadEndsWithTheCommittedValue() throws Exception {
        RedisValueMode mode = RedisValueMode.HASH;
        RedisFixture f = new RedisFixture(postgres, redis, "race", workDir);
        f.sql("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
                "INSERT INTO accounts VALUES (1, 100)",
                // An existing slot: the snapshot then does not wait for transactions in flight.
                "CREATE PUBLICATION race_pub FOR TABLE accounts",
                "SELECT pg_create_logical_replication_slot('race_slot', 'pgoutput')");
        PipelineConfig config = f.config("race", "public.accounts", mode, "");
        String key = f.keyPrefix() + "accounts:1";

        try (RedisClient client = f.redisClient(); Connection tx = postgres.connect(f.name)) {
            tx.setAutoCommit(false);
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("UPDATE accounts SET balance = 200 WHERE id = 1");
            }
            try (Pipeline pipeline = f.start(config, RedisFixture.sinkFor(config))) {
                awaitTrue(() -> "100".equals(client.hget(key, "balance")), WAIT, "the snapshot read");
                long snapshotVersion = Long.parseLong(client.get(versionKey(key)));

                tx.commit();

                awaitTrue(() -> "200".equals(client.hget(key, "balance")), WAIT, "the committed update");
                assertThat(Long.parseLong(client.get(versionKey(key)))).isGreaterThan(snapshotVersion);
                assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
            }
        }
    }

    @Test
    void redisRestartedDuringALoadIsRetriedUntilTheCacheHasCaughtUpWithNothingLost() throws Exception {
        RedisValueMode mode = RedisValueMode.HASH;
        RedisFixture f = new RedisFixture(postgres, redis, "restart_load", workDir);
        f.sql("CREATE TABLE events (id int PRIMARY KEY, payload text NOT NULL, round int NOT NULL)");
        PipelineConfig config = f.config("restart_load", "public.events", mode, "");
        String events = "SELECT id::text, payload, round::text FROM events";
        int transactions = 80;
        AtomicInteger committed = new AtomicInteger();

        try (RedisClient client = f.redisClient(); Pipeline pipeline = f.start(config, RedisFixture.sinkFor(config))) {
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int t = 0; t < transactions; t++) {
                    int from = t * 25 + 1;
                    f.sql("INSERT INTO events SELECT g, 'payload ' || g, " + t + " FROM generate_series(" + from
                            + ", " + (from + 24) + ") g",
                            "UPDATE events SET round = " + t + ", payload = payload || '+' WHERE id % 7 = " + (t % 7));
                    committed.incrementAndGet();
                }
            });
            awaitTrue(() -> !RedisFixture.scan(client, f.keyPrefix() + "events:*").isEmpty(), WAIT,
                    "the first rows in Redis");

            redis.stop();
            int atStop = committed.get();
            // Redis stays down while the load goes on, so the pipeline meets it down, not merely a closed connection.
            awaitTrue(() -> committed.get() >= Math.min(transactions, atStop + 10), WAIT,
                    "transactions committed while Redis is down");
            redis.restart();
            load.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            try (RedisClient fresh = f.redisClient()) {
                awaitEqual(() -> f.cached(fresh, "events", mode), () -> expected(f, "events", 1, events), WAIT,
                        "events after Redis came back");
                assertThat(f.cached(fresh, "events", mode)).hasSize(transactions * 25);
            }
            assertThat(pipeline.state()).isEqualTo(PipelineState.STREAMING);
            assertThat(pipeline.termination()).isNotDone();
        }
    }

    @Test
    void redisRestartedWithoutPersistenceStopsThePipelineSayingDataWasLost() throws Exception {
        try (LocalRedis forgetful = LocalRedis.start()) {
            RedisValueMode mode = RedisValueMode.HASH;
            RedisFixture f = new RedisFixture(postgres, forgetful, "forgetful", workDir);
            f.sql("CREATE TABLE notes (id int PRIMARY KEY, text text)", "INSERT INTO notes VALUES (1, 'kept?')");
            PipelineConfig config = f.config("forgetful", "public.notes", mode, "");

            try (RedisClient client = f.redisClient();
                    Pipeline pipeline = f.start(config, RedisFixture.sinkFor(config))) {
                awaitTrue(() -> client.exists(f.keyPrefix() + "notes:1"), WAIT, "the snapshot row");

                forgetful.restart();
                f.sql("INSERT INTO notes VALUES (2, 'after the restart')");

                ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> pipeline.termination().get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertThat(failure.getCause()).isInstanceOf(PipelineException.class)
                        .hasMessageContaining("Redis lost data").hasMessageContaining("sluice:forgetful:epoch");
                assertThat(pipeline.state()).isEqualTo(PipelineState.FAILED);
            }
        }
    }

    private static Map<String, Map<String, String>> expected(RedisFixture f, String table, int keyColumns,
            String query) {
        try {
            return f.expected(table, keyColumns, query);
        } catch (java.sql.SQLException e) {
            throw new AssertionError("could not read " + table, e);
        }
    }
}
