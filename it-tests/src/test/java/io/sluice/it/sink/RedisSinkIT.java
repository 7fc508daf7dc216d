package io.sluice.it.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.Secret;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkContract;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.AclUser;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import io.sluice.sink.redis.RedisCacheSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The {@link SinkContract} and the Redis sink's own promises (value modes, unchanged TOAST columns, delete markers,
 * TTLs, truncates, data-loss detection, error classification, ACLs) against a real Redis.
 *
 * <p>The shared server keeps an append-only file, so the contract's restart test finds every acknowledged write
 * again; tests about a Redis that loses data start a server of their own without persistence. Every key the tests
 * read is spelled out here rather than rendered by the sink's key mapper, so a mapper bug cannot hide itself.
 */
class RedisSinkIT extends SinkContract {
    private static final String PIPELINE = "sink-it";
    private static final String KEY_PREFIX = "it:";
    private static final ObjectMapper JSON = new ObjectMapper()
            // The contract's values are Longs; Jackson would read small JSON integers as Integers.
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static LocalRedis redis;
    private static RedisClient admin;

    /** Sinks and servers the Redis-specific tests open themselves, closed after each test. */
    private final List<AutoCloseable> own = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = LocalRedis.start(Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY));
        admin = client(redis);
    }

    @AfterAll
    static void stopRedis() {
        if (admin != null) {
            admin.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeOwn() throws Exception {
        for (AutoCloseable closeable : own) {
            closeable.close();
        }
    }

    // ---- The contract's hooks

    /** JSON values, so the rows read back carry the contract's Longs and Strings as they were written. */
    @Override
    protected Sink openSink() throws Exception {
        RedisCacheSink sink = new RedisCacheSink(PIPELINE, config(redis, RedisValueMode.JSON));
        sink.open();
        return sink;
    }

    /**
     * Every data key of the table, {@code it:<schema>:<table>:<key>}, with the version its version key holds.
     * The key columns are the row's first columns (the contract's events put them there), as many as the key has
     * parts; each must read as its part of the key. Deleted rows are left out, as the contract allows: their
     * markers are checked by the tests below.
     */
    @Override
    protected Map<Key, StoredRow> readState(TableId table) {
        String prefix = prefix(table);
        Map<Key, StoredRow> state = new HashMap<>();
        for (String dataKey : scan(prefix + "*")) {
            Map<String, Object> row = parse(admin.get(dataKey));
            String[] keyParts = dataKey.substring(prefix.length()).split(":");
            Map<String, Object> keyColumns = new LinkedHashMap<>();
            for (Map.Entry<String, Object> column : row.entrySet()) {
                if (keyColumns.size() == keyParts.length) {
                    break;
                }
                assertThat(String.valueOf(column.getValue())).as("key part %d of %s", keyColumns.size(), dataKey)
                        .isEqualTo(keyParts[keyColumns.size()]);
                keyColumns.put(column.getKey(), column.getValue());
            }
            state.put(new Key(keyColumns), StoredRow.present(version(dataKey), Row.of(row)));
        }
        return state;
    }

    @Override
    protected void stopServer() {
        redis.stop();
    }

    /** The admin client is replaced too: its pooled connection did not survive the restart. */
    @Override
    protected void restartServer() {
        redis.restart();
        admin.close();
        admin = client(redis);
    }

    /** A truncate removes every row of the table and leaves each a delete marker at the truncate's version. */
    @Override
    protected void assertTruncateApplied(ChangeEvent truncate, Map<Key, StoredRow> before,
            Map<Key, StoredRow> after) {
        assertThat(after).as("rows after the truncate").isEmpty();
        assertThat(before.keySet()).allSatisfy(key -> {
            String dataKey = prefix(truncate.table()) + key.columns().get("id");
            assertThat(admin.exists(dataKey)).as("%s exists", dataKey).isFalse();
            assertThat(version(dataKey)).as("version of %s", dataKey).isEqualTo(truncate.version());
            assertThat(admin.pttl(versionKey(dataKey))).as("time to live of the marker of %s", dataKey)
                    .isPositive();
        });
    }

    // ---- Values

    @Test
    void hashModeStoresNonNullColumnsAsTextAndAnUpdateReplacesTheWholeRow() throws Exception {
        TableId table = table("hash_values");
        Sink sink = openOwn(config(redis, RedisValueMode.HASH));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("b", List.of(1, 2));
        nested.put("a", null);
        ChangeEvent insert = event(table, Op.INSERT, row("id", 1L, "name", "Ada", "amount",
                new BigDecimal("12345678901234567890.10"), "active", true, "doc", nested, "note", "x"), Set.of(), 100);
        ChangeEvent update = event(table, Op.UPDATE, row("id", 1L, "name", "Ada L.", "amount",
                new BigDecimal("1.00"), "active", false, "doc", null, "note", null), Set.of(), 200);

        assertThat(sink.write(List.of(insert)).failures()).isEmpty();
        assertThat(admin.hgetAll(prefix(table) + "1")).isEqualTo(Map.of("id", "1", "name", "Ada",
                "amount", "12345678901234567890.10", "active", "true", "doc", "{\"b\":[1,2],\"a\":null}", "note", "x"));

        assertThat(sink.write(List.of(update)).failures()).isEmpty();
        // Columns that became null are gone, not left with their old values.
        assertThat(admin.hgetAll(prefix(table) + "1")).isEqualTo(Map.of("id", "1", "name", "Ada L.",
                "amount", "1.00", "active", "false"));
        assertThat(version(prefix(table) + "1")).isEqualTo(200);
    }

    @Test
    void unchangedToastColumnsKeepTheirCachedValuesInBothModes() throws Exception {
        for (RedisValueMode mode : RedisValueMode.values()) {
            TableId table = table("toast_" + mode.yamlName());
            Sink sink = openOwn(config(redis, mode));
            String body = "b".repeat(10_000);
            ChangeEvent insert = event(table, Op.INSERT, row("id", 1L, "title", "first", "body", body, "n", 1L),
                    Set.of(), 100);
            // PostgreSQL did not send the unchanged body: it is absent from the after image and listed unchanged.
            ChangeEvent update = event(table, Op.UPDATE, row("id", 1L, "title", "second", "n", 2L), Set.of("body"),
                    200);

            assertThat(sink.write(List.of(insert, update)).failures()).isEmpty();

            String dataKey = prefix(table) + "1";
            if (mode == RedisValueMode.HASH) {
                assertThat(admin.hgetAll(dataKey)).isEqualTo(Map.of("id", "1", "title", "second", "body", body,
                        "n", "2"));
            } else {
                // The cached row's column order is kept, the body's value is the cached one, byte for byte.
                assertThat(admin.get(dataKey)).isEqualTo("{\"id\":1,\"title\":\"second\",\"body\":\"" + body
                        + "\",\"n\":2}");
            }
        }
    }

    @Test
    void jsonMergeKeepsNumbersAndTextExactlyAsCached() throws Exception {
        TableId table = table("json_merge");
        RedisCacheSink sink = openOwn(config(redis, RedisValueMode.JSON));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("k}ey", "va\"l{ue}");
        doc.put("n", new BigDecimal("12345678901234567890.123456789"));
        doc.put("arr", List.of(Map.of("x", "]"), "\\", List.of()));
        String tricky = "quote \" backslash \\ braces {}[] comma , colon : é ✓ 😀";
        ChangeEvent insert = event(table, Op.INSERT, row("id", 1L, "weird \"name\"", tricky, "doc", doc,
                "big", new BigDecimal("98765432109876543210.5"), "gone", "soon"), Set.of(), 100);
        ChangeEvent update = event(table, Op.UPDATE, row("id", 1L, "gone", null, "added", 7L),
                Set.of("weird \"name\"", "doc", "big"), 200);

        assertThat(sink.write(List.of(insert, update)).failures()).isEmpty();

        String stored = admin.get(prefix(table) + "1");
        assertThat(stored).isEqualTo("{\"id\":1,\"weird \\\"name\\\"\":\"quote \\\" backslash \\\\ braces {}[] comma"
                + " , colon : é ✓ 😀\",\"doc\":{\"k}ey\":\"va\\\"l{ue}\",\"n\":12345678901234567890.123456789,"
                + "\"arr\":[{\"x\":\"]\"},\"\\\\\",[]]},\"big\":98765432109876543210.5,\"gone\":null,\"added\":7}");
        assertThat(sink.invalidatedCount()).isZero();
    }

    @Test
    void unchangedColumnWithoutACachedValueRemovesTheRowInsteadOfCachingItIncomplete() throws Exception {
        for (RedisValueMode mode : RedisValueMode.values()) {
            TableId table = table("toast_unknown_" + mode.yamlName());
            RedisCacheSink sink = openOwn(config(redis, mode));
            ChangeEvent update = event(table, Op.UPDATE, row("id", 1L, "title", "second"), Set.of("body"), 200);
            ChangeEvent older = event(table, Op.INSERT, row("id", 1L, "title", "first", "body", "b"), Set.of(), 100);
            // A value that is not a JSON object cannot be merged either (and a hash without the field neither).
            admin.set(prefix(table) + "2", "not json");
            if (mode == RedisValueMode.HASH) {
                admin.del(prefix(table) + "2");
                admin.hset(prefix(table) + "2", Map.of("id", "2", "title", "x"));
            }
            ChangeEvent updateOfUnreadable = event(table, Op.UPDATE, row("id", 2L, "title", "y"), Set.of("body"),
                    300);

            assertThat(sink.write(List.of(update, updateOfUnreadable, older)).failures()).isEmpty();

            assertThat(admin.exists(prefix(table) + "1")).isFalse();
            assertThat(admin.exists(prefix(table) + "2")).isFalse();
            assertThat(version(prefix(table) + "1")).isEqualTo(200);
            assertThat(version(prefix(table) + "2")).isEqualTo(300);
            assertThat(sink.invalidatedCount()).isEqualTo(2);
            assertThat(sink.olderSkippedCount()).as("the older insert stays refused").isEqualTo(1);
        }
    }

    // ---- Versions, markers, TTLs

    @Test
    void replayedAndOlderEventsAreCountedAsAlreadyAppliedAndChangeNothing() throws Exception {
        TableId table = table("counted");
        RedisCacheSink sink = openOwn(config(redis, RedisValueMode.JSON));
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100).build(),
                EventBuilder.update(table).key("id", 1L).column("v", "b").version(200).build(),
                EventBuilder.delete(table).key("id", 2L).version(150).build());

        assertThat(sink.write(batch).failures()).isEmpty();
        String before = admin.get(prefix(table) + "1");
        assertThat(sink.write(batch).failures()).isEmpty();

        // Equal versions apply again (same transaction, in order); only the strictly older insert is skipped.
        assertThat(sink.appliedCount()).isEqualTo(5);
        assertThat(sink.olderSkippedCount()).isEqualTo(1);
        assertThat(admin.get(prefix(table) + "1")).isEqualTo(before).isEqualTo("{\"id\":1,\"v\":\"b\"}");
    }

    @Test
    void deleteMarkerOutlivesTheRowForItsTtlAndVersionsAreComparedExactlyBeyondDoublePrecision() throws Exception {
        TableId table = table("markers");
        RedisSinkConfig config = withTtls(config(redis, RedisValueMode.HASH), Duration.ofMinutes(10),
                Duration.ofMinutes(3));
        RedisCacheSink sink = openOwn(config);
        // Versions above 2^53 that a double cannot tell apart: only an exact comparison keeps the newer one.
        long newer = (1L << 60) + 1;
        long older = 1L << 60;

        assertThat(sink.write(List.of(
                EventBuilder.insert(table).key("id", 1L).column("v", "new").version(newer).build(),
                EventBuilder.insert(table).key("id", 1L).column("v", "old").version(older).build(),
                EventBuilder.insert(table).key("id", 2L).column("v", "x").version(100).build(),
                EventBuilder.delete(table).key("id", 2L).version(200).build())).failures()).isEmpty();

        assertThat(admin.hget(prefix(table) + "1", "v")).isEqualTo("new");
        assertThat(admin.get(versionKey(prefix(table) + "1"))).isEqualTo(Long.toString(newer));
        assertThat(admin.pttl(prefix(table) + "1")).isBetween(Duration.ofMinutes(9).toMillis(),
                Duration.ofMinutes(10).toMillis());
        assertThat(admin.pttl(versionKey(prefix(table) + "1"))).isBetween(Duration.ofMinutes(9).toMillis(),
                Duration.ofMinutes(10).toMillis());
        assertThat(admin.exists(prefix(table) + "2")).isFalse();
        assertThat(admin.pttl(versionKey(prefix(table) + "2"))).isBetween(Duration.ofMinutes(2).toMillis(),
                Duration.ofMinutes(3).toMillis());

        // A new row under a deleted key makes the version key permanent again (no TTL configured here).
        RedisCacheSink noTtl = openOwn(config(redis, RedisValueMode.HASH));
        assertThat(noTtl.write(List.of(EventBuilder.insert(table).key("id", 2L).column("v", "again").version(300)
                .build())).failures()).isEmpty();
        assertThat(admin.pttl(versionKey(prefix(table) + "2"))).isEqualTo(-1);
    }

    @Test
    void truncateRemovesEveryRowPageByPageAndOnlyThatTablesRows() throws Exception {
        TableId table = table("big_truncate");
        // Its name starts like the truncated table's, but its keys do not share the prefix.
        TableId neighbour = table("big_truncate_kept");
        RedisCacheSink sink = openOwn(config(redis, RedisValueMode.HASH));
        List<ChangeEvent> rows = new ArrayList<>();
        for (long id = 1; id <= 2_500; id++) {
            rows.add(EventBuilder.insert(table).key("id", id).column("v", "x").version(100).build());
        }
        rows.add(EventBuilder.insert(neighbour).key("id", 1L).column("v", "kept").version(100).build());
        ChangeEvent truncate = EventBuilder.truncate(table).version(200).build();
        ChangeEvent after = EventBuilder.insert(table).key("id", 7L).column("v", "after").version(300).build();
        assertThat(sink.write(rows).failures()).isEmpty();

        // Rows before, the truncate and a row after, in one batch: each part in order.
        assertThat(sink.write(List.of(rows.get(0), truncate, after)).failures()).isEmpty();

        assertThat(scan(prefix(table) + "*")).containsExactly(prefix(table) + "7");
        assertThat(admin.hget(prefix(neighbour) + "1", "v")).isEqualTo("kept");
        assertThat(version(prefix(table) + "2500")).isEqualTo(200);
        // The markers keep a replay of the rows' inserts from bringing them back.
        assertThat(sink.write(rows.subList(0, 10)).failures()).isEmpty();
        assertThat(scan(prefix(table) + "*")).containsExactly(prefix(table) + "7");
    }

    // ---- Failures

    @Test
    void keyHoldingAnotherTypeIsRefusedForGoodWhileTheRestOfTheBatchIsApplied() throws Exception {
        TableId table = table("wrong_type");
        Sink sink = openOwn(config(redis, RedisValueMode.HASH));
        admin.set(prefix(table) + "2", "a string where a hash belongs");
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100).build(),
                EventBuilder.insert(table).key("id", 2L).column("v", "b").version(100).build(),
                EventBuilder.insert(table).key("id", 3L).column("v", "c").version(100).build());

        WriteResult result = sink.write(batch);

        assertThat(result.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.index()).isEqualTo(1);
            assertThat(failure.retriable()).isFalse();
            assertThat(failure.reason()).startsWith("WRONGTYPE").contains("value mode");
        });
        assertThat(admin.hget(prefix(table) + "1", "v")).isEqualTo("a");
        assertThat(admin.hget(prefix(table) + "3", "v")).isEqualTo("c");
        assertThat(admin.get(prefix(table) + "2")).isEqualTo("a string where a hash belongs");
    }

    @Test
    void fullMemoryFailsTheBatchRetriablyAndItAppliesOnceMemoryIsBack() throws Exception {
        TableId table = table("out_of_memory");
        Sink sink = openOwn(config(redis, RedisValueMode.HASH));
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100).build());
        admin.configSet("maxmemory", "1");
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> sink.write(batch));
        } finally {
            admin.configSet("maxmemory", "0");
        }

        assertThat(thrown).isInstanceOf(RetriableSinkException.class).hasMessageContaining("OOM");
        assertThat(sink.write(batch).failures()).isEmpty();
        assertThat(admin.hget(prefix(table) + "1", "v")).isEqualTo("a");
    }

    @Test
    void scriptsFlushedFromTheServerAreSentAgain() throws Exception {
        TableId table = table("script_flush");
        Sink sink = openOwn(config(redis, RedisValueMode.HASH));
        admin.scriptFlush();

        assertThat(sink.write(List.of(EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100).build(),
                EventBuilder.update(table).key("id", 1L).column("v", "b").version(101).build())).failures()).isEmpty();

        assertThat(admin.hget(prefix(table) + "1", "v")).isEqualTo("b");
    }

    @Test
    void unreachableRedisFailsOpenRetriably() {
        RedisSinkConfig nowhere = withHost(config(redis, RedisValueMode.HASH), FreePorts.pick());
        RedisCacheSink sink = own(new RedisCacheSink(PIPELINE, nowhere));

        assertThat(catchThrowable(sink::open)).isInstanceOf(RetriableSinkException.class)
                .hasMessageContaining("pipeline '" + PIPELINE + "', sink redis (127.0.0.1:" + nowhere.port());
    }

    @Test
    void aclUserLimitedToTheSinksKeysCanWriteAndWrongCredentialsStopTheSink() throws Exception {
        // The user may touch only the data keys, their version keys and the marker, with the commands the docs
        // list: the scripts name every key they touch as KEYS, so Redis can check them.
        AclUser cache = new AclUser("cache", "cache-secret", "~it:* ~{it:* ~sluice:* +evalsha +eval +script|load"
                + " +client|setname +ping +scan +info +get +set +unlink +type +hset +hmget +hincrby +pexpire +time");
        AclUser narrow = new AclUser("narrow", "narrow-secret", "~it:* ~{it:* +@all");
        try (LocalRedis secured = LocalRedis.start(Options.DEFAULT.withPassword("admin-secret").withUser(cache)
                .withUser(narrow))) {
            TableId table = table("acl");
            RedisCacheSink sink = openOwn(withCredentials(config(secured, RedisValueMode.HASH), "cache",
                    "cache-secret"));
            assertThat(sink.write(List.of(EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100)
                    .build(), EventBuilder.update(table).key("id", 1L).column("v", "b").version(101).build(),
                    EventBuilder.truncate(table).version(102).build(),
                    EventBuilder.insert(table).key("id", 2L).column("v", "c").version(103).build())).failures())
                    .isEmpty();

            RedisCacheSink wrongPassword = own(new RedisCacheSink(PIPELINE,
                    withCredentials(config(secured, RedisValueMode.HASH), "cache", "not-it")));
            assertThat(catchThrowable(wrongPassword::open)).isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("WRONGPASS").hasMessageNotContaining("not-it");

            RedisCacheSink withoutMarker = own(new RedisCacheSink(PIPELINE,
                    withCredentials(config(secured, RedisValueMode.HASH), "narrow", "narrow-secret")));
            assertThat(catchThrowable(withoutMarker::open)).isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("NOPERM").hasMessageContaining("sluice:" + PIPELINE + ":epoch");
        }
    }

    // ---- Data loss in Redis

    @Test
    void restartWithoutPersistenceIsReportedAsLostDataUntilTheMarkerIsDeleted() throws Exception {
        try (LocalRedis forgetful = LocalRedis.start(); RedisClient forgetfulAdmin = client(forgetful)) {
            TableId table = table("forgetful");
            RedisCacheSink sink = openOwn(config(forgetful, RedisValueMode.HASH));
            assertThat(sink.write(List.of(EventBuilder.insert(table).key("id", 1L).column("v", "a").version(100)
                    .build())).failures()).isEmpty();

            forgetful.restart();

            List<ChangeEvent> next = List.of(EventBuilder.insert(table).key("id", 2L).column("v", "b").version(200)
                    .build());
            SinkException lost = writeUntilNotRetriable(sink, next);
            assertThat(lost).isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("Redis lost data").hasMessageContaining("marker key was gone")
                    .hasMessageContaining("sluice:" + PIPELINE + ":epoch");
            // Never healthy again: neither this sink nor a new one (a restarted Sluice) goes on.
            assertThat(catchThrowable(() -> sink.write(next))).isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("Redis lost data");
            RedisCacheSink restarted = own(new RedisCacheSink(PIPELINE, config(forgetful, RedisValueMode.HASH)));
            assertThat(catchThrowable(restarted::open)).isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("Redis lost data");

            // An operator re-synced and removed the marker: a new start is healthy.
            forgetfulAdmin.del(RedisCacheSink.markerKey(PIPELINE));
            RedisCacheSink resynced = openOwn(config(forgetful, RedisValueMode.HASH));
            assertThat(resynced.write(next).failures()).isEmpty();
        }
    }

    @Test
    void redisThatWentBackToAnOlderStateIsReportedAsLostData() throws Exception {
        try (LocalRedis server = LocalRedis.start(); RedisClient serverAdmin = client(server)) {
            TableId table = table("rewound");
            String marker = RedisCacheSink.markerKey(PIPELINE);
            RedisCacheSink sink = openOwn(config(server, RedisValueMode.HASH));
            for (int batch = 1; batch <= 3; batch++) {
                assertThat(sink.write(List.of(EventBuilder.insert(table).key("id", (long) batch).column("v", "a")
                        .version(100 + batch).build())).failures()).isEmpty();
            }
            // As if Redis had come back from a snapshot taken two batches ago (or lost its last appends).
            long seq = Long.parseLong(serverAdmin.hget(marker, "seq"));
            serverAdmin.hset(marker, "seq", Long.toString(seq - 2));

            Throwable thrown = catchThrowable(() -> sink.write(List.of(EventBuilder.insert(table).key("id", 9L)
                    .column("v", "a").version(200).build())));

            assertThat(thrown).isExactlyInstanceOf(SinkException.class).hasMessageContaining("Redis lost data")
                    .hasMessageContaining("went back");
            assertThat(serverAdmin.hget(marker, "lost")).contains("went back");
        }
    }

    // ---- Helpers

    private static RedisSinkConfig config(LocalRedis server, RedisValueMode mode) {
        return new RedisSinkConfig(server.host(), server.port(), null, null, 0, null,
                server.password() == null ? null : Secret.of(server.password()), false,
                KEY_PREFIX + "{schema}:{table}:{key}", mode, null, null, Duration.ofSeconds(5), FailurePolicy.FAIL, null, null, null);
    }

    private static RedisSinkConfig withTtls(RedisSinkConfig c, Duration ttl, Duration deleteMarkerTtl) {
        return new RedisSinkConfig(c.host(), c.port(), null, null, c.database(), c.user(), c.password(), c.tls(),
                c.key(), c.value(), ttl, deleteMarkerTtl, c.timeout(), c.onFailure(), null, null, null);
    }

    private static RedisSinkConfig withHost(RedisSinkConfig c, int port) {
        return new RedisSinkConfig(c.host(), port, null, null, c.database(), c.user(), c.password(), c.tls(),
                c.key(), c.value(), c.ttl(), c.deleteMarkerTtl(), c.timeout(), c.onFailure(), null, null, null);
    }

    private static RedisSinkConfig withCredentials(RedisSinkConfig c, String user, String password) {
        return new RedisSinkConfig(c.host(), c.port(), null, null, c.database(), user, Secret.of(password), c.tls(),
                c.key(), c.value(), c.ttl(), c.deleteMarkerTtl(), c.timeout(), c.onFailure(), null, null, null);
    }

    private <T extends AutoCloseable> T own(T closeable) {
        own.add(closeable);
        return closeable;
    }

    private RedisCacheSink openOwn(RedisSinkConfig config) throws Exception {
        RedisCacheSink sink = own(new RedisCacheSink(PIPELINE, config));
        sink.open();
        return sink;
    }

    /**
     * Writes until the sink stops answering "try again": the first write after a restart may meet a pooled
     * connection the restart broke, which is retriable, before a new connection finds out what Redis lost.
     */
    private static SinkException writeUntilNotRetriable(Sink sink, List<ChangeEvent> batch) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            try {
                sink.write(batch);
                fail("a write to a Redis that lost data was acknowledged");
            } catch (RetriableSinkException e) {
                Thread.sleep(100);
            } catch (SinkException e) {
                return e;
            }
        }
        throw new AssertionError("the sink kept answering 'try again' for 30 s");
    }

    private static RedisClient client(LocalRedis server) {
        return RedisClient.builder().hostAndPort(server.host(), server.port())
                .clientConfig(DefaultJedisClientConfig.builder().password(server.password()).build()).build();
    }

    private static TableId table(String name) {
        return new TableId("sluice", "redis", name);
    }

    private static String prefix(TableId table) {
        return KEY_PREFIX + table.schema() + ":" + table.table() + ":";
    }

    private static String versionKey(String dataKey) {
        return "{" + dataKey + "}:version";
    }

    private static long version(String dataKey) {
        String version = admin.get(versionKey(dataKey));
        assertThat(version).as("version of %s", dataKey).isNotNull();
        return Long.parseLong(version);
    }

    /** Every key matching the pattern, sorted. */
    private static Set<String> scan(String pattern) {
        Set<String> keys = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = admin.scan(cursor, new ScanParams().match(pattern).count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    private static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return row;
    }

    /** An event with the given after image and unchanged columns, which EventBuilder cannot make. */
    private static ChangeEvent event(TableId table, Op op, Map<String, Object> after, Set<String> unchanged,
            long version) {
        Key key = new Key(Map.of("id", after.get("id")));
        return new ChangeEvent(table, op, key, op == Op.UPDATE ? Row.of(key.columns()) : null, Row.of(after),
                unchanged, new SourcePosition(version, version, 7L, Instant.EPOCH, false), version);
    }

    private static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + json, e);
        }
    }
}
