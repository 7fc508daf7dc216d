package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.Pipeline;
import io.sluice.engine.RetryPolicy;
import io.sluice.engine.SinkBinding;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import io.sluice.sink.redis.RedisCacheSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One end-to-end test's slice of the shared servers for the Redis sink: its own database, slot, publication,
 * offsets file and key prefix {@code e2e:<name>:}, so tests never see each other's rows. Made by {@link #sharing},
 * the Redis sink of a pipeline with several sinks.
 */
public final class RedisFixture {
    /** Retries quickly, so a pipeline catches up within seconds of Redis coming back. */
    static final RetryPolicy FAST_RETRIES = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0);

    final LocalPostgres postgres;
    final LocalRedis redis;
    final String name;
    final Path workDir;

    RedisFixture(LocalPostgres postgres, LocalRedis redis, String name, Path workDir) {
        this(postgres, redis, name, workDir, true);
    }

    private RedisFixture(LocalPostgres postgres, LocalRedis redis, String name, Path workDir, boolean newDatabase) {
        this.postgres = postgres;
        this.redis = redis;
        this.name = name;
        this.workDir = workDir;
        if (newDatabase) {
            postgres.createDatabase(name);
        }
    }

    /** The Redis side of {@code base}'s pipeline: same database and name, {@link #sinkYaml} for its YAML. */
    public static RedisFixture sharing(SluiceFixture base, LocalRedis redis) {
        return new RedisFixture(base.postgres, redis, base.name, base.workDir, false);
    }

    public String keyPrefix() {
        return "e2e:" + name + ":";
    }

    void sql(String... statements) {
        postgres.execute(name, statements);
    }

    /**
     * A pipeline's YAML through Sluice's own config loader, with one redis sink.
     *
     * @param pipeline names the pipeline, its slot ({@code <pipeline>_slot}) and offsets file
     */
    PipelineConfig config(String pipeline, String tables, RedisValueMode mode, String extraSource)
            throws ConfigException {
        String yaml = """
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: %s
                        user: %s
                        password: unused
                        slot: %s
                        publication: %s
                        tables: [%s]
                %s
                    sinks:
                %s
                    offsets:
                      file: %s
                """.formatted(pipeline, postgres.port(), name, LocalPostgres.SUPERUSER, pipeline + "_slot",
                name + "_pub", tables, extraSource.indent(8).stripTrailing(), sinkYaml(mode).indent(6).stripTrailing(),
                workDir.resolve(pipeline + ".offsets"));
        return new ConfigLoader(variable -> null).load(yaml, pipeline + ".yaml").pipelines().get(0);
    }

    /** This fixture's Redis sink as an item of {@code sinks:}. */
    public String sinkYaml(RedisValueMode mode) {
        return """
                - redis:
                    host: %s
                    port: %d
                    key: "%s{table}:{key}"
                    value: %s
                    timeout: 5s
                """.formatted(redis.host(), redis.port(), keyPrefix(), mode.yamlName());
    }

    /** A started pipeline writing through {@code sink}, which the test keeps to read its counters. */
    Pipeline start(PipelineConfig config, RedisCacheSink sink) throws Exception {
        Pipeline pipeline = new Pipeline(config, List.of(new SinkBinding("redis", sink)), FAST_RETRIES,
                new Random());
        pipeline.start();
        return pipeline;
    }

    static RedisCacheSink sinkFor(PipelineConfig config) {
        return new RedisCacheSink(config.name(), (RedisSinkConfig) config.sinks().get(0));
    }

    public RedisClient redisClient() {
        return RedisClient.builder().hostAndPort(redis.host(), redis.port())
                .clientConfig(DefaultJedisClientConfig.builder().build()).build();
    }

    /**
     * The rows of a table as the cache should hold them: data key to the non-null columns as text. The query names
     * the key columns first, cast to text, and gives every other column as the text Sluice stores ({@code ::text}:
     * PostgreSQL's numeric and boolean text is what the event JSON carries). Key texts here hold no reserved
     * characters except where a test spells the encoded key out itself.
     */
    public Map<String, Map<String, String>> expected(String table, int keyColumns, String query) throws SQLException {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Connection c = postgres.connect(name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringBuilder key = new StringBuilder(keyPrefix()).append(table).append(':');
                Map<String, String> row = new TreeMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String value = rs.getString(i);
                    if (i <= keyColumns) {
                        key.append(i > 1 ? ":" : "").append(value.replace("%", "%25").replace(":", "%3A"));
                    }
                    if (value != null) {
                        row.put(meta.getColumnLabel(i), value);
                    }
                }
                rows.put(key.toString(), row);
            }
        }
        return rows;
    }

    /**
     * What the cache holds for a table: data key to the non-null columns as text, from a hash as it is, from a JSON
     * string with strings as they are and numbers and booleans as their JSON text.
     */
    public Map<String, Map<String, String>> cached(RedisClient client, String table, RedisValueMode mode) {
        return SinkRows.redisKeys(client, keyPrefix() + table + ":*", mode);
    }

    /** Every data and version key of this fixture with its value, to compare whole states. */
    Map<String, String> snapshotOfAllKeys(RedisClient client, RedisValueMode mode) {
        Map<String, String> all = new TreeMap<>();
        for (String pattern : List.of(keyPrefix() + "*", "{" + keyPrefix() + "*")) {
            for (String key : scan(client, pattern)) {
                all.put(key, mode == RedisValueMode.HASH && !key.startsWith("{")
                        ? new TreeMap<>(client.hgetAll(key)).toString() : client.get(key));
            }
        }
        return all;
    }

    /** Waits until {@code actual} equals {@code expected}; on timeout compares them once more, showing the diff. */
    static <T> void awaitEqual(Supplier<T> actual, Supplier<T> expected, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (actual.get().equals(expected.get())) {
                return;
            }
            pause();
        }
        assertThat(actual.get()).as(what).isEqualTo(expected.get());
    }

    static void awaitTrue(Supplier<Boolean> condition, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.get()) {
            assertThat(Instant.now()).as("time waiting for " + what).isBefore(deadline);
            pause();
        }
    }

    static String versionKey(String dataKey) {
        return "{" + dataKey + "}:version";
    }

    static java.util.Set<String> scan(RedisClient client, String pattern) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = client.scan(cursor, new ScanParams().match(pattern).count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }


    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }

    /** A row as {@link #cached} gives it: column names to texts, for rows a test spells out. */
    static Map<String, String> row(String... namesAndValues) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new TreeMap<>(row);
    }
}
