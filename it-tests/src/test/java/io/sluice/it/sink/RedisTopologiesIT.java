package io.sluice.it.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.RedisClusterConfig;
import io.sluice.config.sink.RedisSentinelConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import io.sluice.sink.redis.RedisCacheSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The Redis sink through Sentinel (following a failover: the sink's pool still points at the old master, now a
 * read-only replica, until the client hears of the switch) and against a Redis Cluster of two masters (rows in slots
 * of both, a truncate scanning both, scripts reaching the node that never loaded them). The servers are local
 * {@code redis-server} processes, as in {@link RedisSinkIT}.
 */
class RedisTopologiesIT {
    private static final String PIPELINE = "topology-it";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void sinkBehindSentinelFollowsAFailoverAndKeepsEveryRow() throws Exception {
        Options appendOnly = Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY);
        try (LocalRedis master = LocalRedis.start(appendOnly);
                LocalRedis replica = LocalRedis.start(appendOnly.withSetting("replicaof " + "127.0.0.1 "
                        + master.port()));
                LocalRedis sentinel = LocalRedis.startSentinel(master, "cache", replica)) {
            awaitTrue(() -> info(sentinel, "sentinel").contains("slaves=1"), "the sentinel to find the replica");
            TableId table = new TableId("sluice", "topology", "sentinel");
            RedisSinkConfig config = config(null, new RedisSentinelConfig("cache",
                    List.of("127.0.0.1:" + sentinel.port()), null, null), null);
            try (RedisCacheSink sink = new RedisCacheSink(PIPELINE, config)) {
                sink.open();
                List<ChangeEvent> before = rows(table, 1, 50, 100);
                assertThat(sink.write(before).failures()).isEmpty();
                awaitTrue(() -> replicated(master, replica), "the replica to catch up");

                try (Jedis admin = new Jedis("127.0.0.1", sentinel.port())) {
                    admin.sendCommand(() -> "SENTINEL".getBytes(), "FAILOVER", "cache");
                }
                awaitTrue(() -> info(replica, "replication").contains("role:master"), "the replica's promotion");
                // Until the old master is demoted it still takes writes, which its demotion then discards: Redis's
                // own failover window. Sentinel demotes it at its next INFO round, up to ten seconds later; the test
                // does what Sentinel will do at once, and writes only after it, so the sink must find the new
                // master by itself.
                try (Jedis old = new Jedis("127.0.0.1", master.port())) {
                    old.replicaof("127.0.0.1", replica.port());
                }

                List<ChangeEvent> after = rows(table, 51, 100, 200);
                writeUntilApplied(sink, after);

            }
            try (Jedis newMaster = new Jedis("127.0.0.1", replica.port())) {
                for (int id = 1; id <= 100; id++) {
                    assertThat(newMaster.hget("t:sentinel:" + id, "v")).as("row %d", id).isEqualTo("v" + id);
                }
            }
        }
    }

    @Test
    void clusterOfTwoMastersTakesRowsInEverySlotAndTruncatesOnEveryMaster() throws Exception {
        Options node = Options.DEFAULT.withSetting("cluster-enabled yes").withSetting("cluster-node-timeout 2000");
        try (LocalRedis first = LocalRedis.start(node); LocalRedis second = LocalRedis.start(node)) {
            formCluster(first, second);
            TableId table = new TableId("sluice", "topology", "cluster");
            RedisSinkConfig config = config(null, null, new RedisClusterConfig(List.of("127.0.0.1:" + first.port())));
            try (RedisCacheSink sink = new RedisCacheSink(PIPELINE, config)) {
                sink.open();
                // The scripts were loaded on the marker's node only: rows on the other node need the fallback.
                assertThat(sink.write(rows(table, 1, 200, 100)).failures()).isEmpty();
                Set<Integer> nodesHoldingRows = new HashSet<>();
                for (LocalRedis server : List.of(first, second)) {
                    try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                        long rows = jedis.dbSize();
                        if (rows > 0) {
                            nodesHoldingRows.add(server.port());
                        }
                    }
                }
                assertThat(nodesHoldingRows).as("nodes holding rows").hasSize(2);
                assertThat(rowsOnBothNodes(first, second, table)).isEqualTo(200);

                assertThat(sink.write(List.of(EventBuilder.truncate(table).version(300).build())).failures())
                        .isEmpty();
                assertThat(rowsOnBothNodes(first, second, table)).isZero();
                // Each version key sits in its row's slot, so every marker is on the node that held the row.
                String versionKey = "{t:cluster:17}:version";
                assertThat(JedisClusterCRC16.getSlot(versionKey)).isEqualTo(JedisClusterCRC16.getSlot("t:cluster:17"));
            }
        }
    }

    private static void formCluster(LocalRedis first, LocalRedis second) {
        try (Jedis a = new Jedis("127.0.0.1", first.port()); Jedis b = new Jedis("127.0.0.1", second.port())) {
            a.clusterMeet("127.0.0.1", second.port());
            a.clusterAddSlots(range(0, 8191));
            b.clusterAddSlots(range(8192, 16383));
            awaitTrue(() -> a.clusterInfo().contains("cluster_state:ok") && b.clusterInfo().contains(
                    "cluster_state:ok"), "the cluster to form");
        }
    }

    private static int rowsOnBothNodes(LocalRedis first, LocalRedis second, TableId table) {
        int rows = 0;
        for (LocalRedis server : List.of(first, second)) {
            try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                rows += jedis.keys("t:" + table.table() + ":*").size();
            }
        }
        return rows;
    }

    private static RedisSinkConfig config(String host, RedisSentinelConfig sentinel, RedisClusterConfig cluster) {
        return new RedisSinkConfig(host, null, sentinel, cluster, 0, null, null, false, "t:{table}:{key}",
                RedisValueMode.HASH, null, null, Duration.ofSeconds(5), FailurePolicy.FAIL, null, null, null);
    }

    private static List<ChangeEvent> rows(TableId table, int from, int to, long version) {
        List<ChangeEvent> rows = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            rows.add(EventBuilder.insert(table).key("id", id).column("v", "v" + id).version(version).build());
        }
        return rows;
    }

    /** Retries as the dispatcher would while the failover completes. */
    private static void writeUntilApplied(RedisCacheSink sink, List<ChangeEvent> batch) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                WriteResult result = sink.write(batch);
                assertThat(result.failures()).isEmpty();
                return;
            } catch (RetriableSinkException e) {
                assertThat(Instant.now()).as("retrying after " + e.getMessage()).isBefore(deadline);
                Thread.sleep(200);
            }
        }
    }

    private static boolean replicated(LocalRedis master, LocalRedis replica) {
        String masterOffset = field(info(master, "replication"), "master_repl_offset");
        return masterOffset.equals(field(info(replica, "replication"), "master_repl_offset"))
                && info(replica, "replication").contains("master_link_status:up");
    }

    private static String info(LocalRedis server, String section) {
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", server.port()))) {
            return jedis.info(section);
        }
    }

    private static String field(String info, String name) {
        return info.lines().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1).strip()).orElse("");
    }

    private static int[] range(int from, int to) {
        int[] slots = new int[to - from + 1];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = from + i;
        }
        return slots;
    }

    private interface Check {
        boolean holds();
    }

    private static void awaitTrue(Check check, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!check.holds()) {
            assertThat(Instant.now()).as("time waiting for " + what).isBefore(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
