package io.sluice.it.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.it.ElasticsearchFixture;
import io.sluice.it.KafkaEvents;
import io.sluice.it.RedisFixture;
import io.sluice.it.SluiceFixture;
import io.sluice.it.SluiceProcess;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import redis.clients.jedis.RedisClient;

/**
 * One crash test's pipeline: its own database with {@code orders} and {@code progress}, and the packaged Sluice run
 * as a child process writing to Kafka, Elasticsearch and Redis, with offsets in the store under test. Starts, kills
 * and stops Sluice, and reads what the invariant checks need: the slot's confirmed position, the stored offset and
 * each sink's copy of the progress row.
 */
final class CrashPipeline {
    static final String TABLES = "public.orders, public.progress";
    static final RedisValueMode REDIS_VALUES = RedisValueMode.JSON;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDERS_DOCUMENT = "jsonb_build_object('id', id, 'rev', rev, 'status', status,"
            + " 'amount', amount::text, 'note', note)";
    private static final String ORDERS_ROW = "SELECT id::text, rev::text, status, amount::text, note FROM orders";
    private static final int ORDERS_PARTITIONS = 3;
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 30;

    final SluiceFixture base;
    final ElasticsearchFixture elasticsearch;
    final RedisFixture redis;
    final OffsetsStore store;
    final PipelineConfig config;
    private final Path configFile;
    private final String yaml;
    private final Path logDir;
    private Process process;
    private Path log;
    private int starts;

    /**
     * Creates the database, its tables and the Kafka topics (orders with {@value #ORDERS_PARTITIONS} partitions),
     * and writes the pipeline's YAML; Sluice's logs go to {@code logDir}.
     */
    CrashPipeline(LocalPostgres postgres, LocalKafka kafka, LocalElasticsearch elasticsearch, LocalRedis redis,
            String name, Path workDir, OffsetsStore store, Path logDir) throws Exception {
        this.base = new SluiceFixture(postgres, kafka, name, workDir);
        this.elasticsearch = ElasticsearchFixture.sharing(base, elasticsearch);
        this.redis = RedisFixture.sharing(base, redis);
        this.store = store;
        this.logDir = logDir;
        base.sql(LoadWriter.SCHEMA);
        kafka.createTopic(ordersTopic(), ORDERS_PARTITIONS);
        kafka.createTopic(progressTopic(), 1);
        String yaml = base.yaml(TABLES, "", base.kafkaSinkYaml() + this.elasticsearch.sinkYaml("")
                + this.redis.sinkYaml(REDIS_VALUES), store.yaml(base));
        this.config = base.load(yaml);
        this.configFile = workDir.resolve(name + ".yaml");
        this.yaml = yaml;
        Files.writeString(configFile, yaml);
        Files.createDirectories(logDir);
    }

    String name() {
        return base.name;
    }

    String ordersTopic() {
        return base.topic("public.orders");
    }

    String progressTopic() {
        return base.topic("public.progress");
    }

    Connection connect() throws SQLException {
        return base.postgres.connect(base.name);
    }

    /**
     * Adds top-level keys after the pipeline in the configuration file, e.g. {@code shutdown: {grace-period: 3s}},
     * for the next start.
     */
    void addToConfig(String topLevelYaml) throws IOException {
        Files.writeString(configFile, yaml + topLevelYaml);
    }

    /** Starts Sluice from the calling thread, which must outlive it ({@link SluiceProcess#startTiedToThisThread}). */
    void start() throws IOException {
        start(List.of());
    }

    /** As {@link #start()}, with options for Sluice's JVM and further arguments of {@code sluice run}. */
    void start(List<String> jvmOptions, String... runOptions) throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Sluice is already running for " + name());
        }
        starts++;
        log = logDir.resolve("sluice-" + starts + ".log");
        List<String> args = new java.util.ArrayList<>(List.of("run", "--config", configFile.toString()));
        args.addAll(List.of(runOptions));
        process = SluiceProcess.startTiedToThisThread(log, jvmOptions, args.toArray(String[]::new));
    }

    long pid() {
        return process.pid();
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** Sends SIGTERM and returns at once. */
    void signal() {
        process.destroy();
    }

    /** Waits for Sluice to exit; returns its exit code, or kills it and fails after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("Sluice did not exit within " + timeout.toSeconds() + " s and was killed; its"
                    + " log " + log + " ends with:\n" + logTail());
        }
        return process.exitValue();
    }

    /** Everything the running (or last) Sluice wrote. */
    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** Waits until the log of the running Sluice contains {@code text}, failing if it exits first. */
    void awaitLogged(String text, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!logText().contains(text)) {
            requireRunning("before it logged '" + text + "'");
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Sluice (run " + starts + ") did not log '" + text + "' within "
                        + timeout.toSeconds() + " s; its log " + log + " ends with:\n" + logTail());
            }
            Thread.sleep(100);
        }
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("Sluice (pid " + process.pid() + ") was still alive " + KILL_TIMEOUT.toSeconds()
                    + " s after kill -9");
        }
    }

    /** SIGTERM; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            kill();
            throw new AssertionError("Sluice did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM and was killed; its log " + log + " ends with:\n" + logTail());
        }
        return process.exitValue();
    }

    /** Kills Sluice if it still runs, e.g. after a failed test. */
    void killIfRunning() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    /** Fails, with the end of its log, if Sluice exited on its own. */
    void requireRunning(String when) {
        if (!process.isAlive()) {
            throw new AssertionError("Sluice exited on its own with code " + process.exitValue() + " " + when
                    + " (run " + starts + "); a pipeline must wait out outages, not exit. Its log " + log
                    + " ends with:\n" + logTail());
        }
    }

    /** Whether the running Sluice has logged that its pipeline streams (the snapshot, if any, is done). */
    boolean isStreaming() {
        return logText().contains("pipeline '" + name() + "': streaming");
    }

    void awaitStreaming(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!isStreaming()) {
            requireRunning("before it started streaming");
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Sluice (run " + starts + ") did not start streaming within "
                        + timeout.toSeconds() + " s; its log " + log + " ends with:\n" + logTail());
            }
            Thread.sleep(100);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    Path logDir() {
        return logDir;
    }

    /** Opens the pipeline's offsets store as Sluice's own commands do; the caller closes it. */
    OffsetStore openOffsetStore() {
        try {
            return OffsetStores.open(config.offsets(), config.source().postgres());
        } catch (OffsetStoreException | RuntimeException e) {
            throw new AssertionError("the " + store.yamlName() + " offsets store of pipeline " + name()
                    + " cannot be opened by this build: " + e.getMessage(), e);
        }
    }

    /**
     * What the store holds for the pipeline, in Debezium's JSON form.
     *
     * @param lsn              the position Debezium confirms to the slot for this offset
     *                         ({@code PostgresStreamingChangeEventSource.commitOffset} flushes {@code lsn_commit}, or
     *                         {@code lsn_proc} when there is none); empty while the offset has neither (nothing
     *                         stored yet, or snapshot offsets only), when Debezium confirms nothing
     * @param snapshotComplete whether a restart would go on streaming rather than snapshot again: something is stored,
     *                         and it is a streaming offset or that of the snapshot's last record
     */
    record StoredOffset(OptionalLong lsn, boolean snapshotComplete) {
    }

    StoredOffset storedOffset(OffsetStore offsets) throws OffsetStoreException {
        SourceOffsets stored = offsets.load(new PipelineId(name()));
        if (stored.entries().size() > 1) {
            throw new IllegalStateException("expected the offsets of one source partition, found "
                    + stored.entries().keySet());
        }
        for (String value : stored.entries().values()) {
            JsonNode offset = readJson(value);
            JsonNode lsn = offset.path("lsn_commit").isNumber() ? offset.path("lsn_commit") : offset.path("lsn_proc");
            boolean snapshotComplete = !offset.has("snapshot") || offset.path("last_snapshot_record").asBoolean()
                    || offset.path("snapshot_completed").asBoolean();
            return new StoredOffset(lsn.isNumber() ? OptionalLong.of(lsn.asLong()) : OptionalLong.empty(),
                    snapshotComplete);
        }
        return new StoredOffset(OptionalLong.empty(), false);
    }

    /** The slot's {@code confirmed_flush_lsn}; empty while the slot does not exist yet. */
    OptionalLong confirmedFlushLsn(Connection connection) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, base.slot());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return OptionalLong.empty();
                }
                return OptionalLong.of(rs.getLong(1));
            }
        }
    }

    /** {@code seq} of the progress row in Elasticsearch (a real-time GET); empty while it has none. */
    OptionalLong elasticsearchProgress() {
        return elasticsearch.http.source(elasticsearch.index("progress"), "1")
                .map(source -> OptionalLong.of(source.path("seq").asLong()))
                .orElse(OptionalLong.empty());
    }

    /** {@code seq} of the progress row in Redis; empty while it has none. */
    OptionalLong redisProgress(RedisClient client) {
        String value = client.get(redis.keyPrefix() + "progress:1");
        return value == null ? OptionalLong.empty() : OptionalLong.of(readJson(value).path("seq").asLong());
    }

    /** Waits until Elasticsearch holds a document of {@code orders}; returns its id. */
    long awaitFirstSnapshotDocument(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            requireRunning("during the snapshot");
            Map<String, ?> documents = elasticsearch.http.documents(elasticsearch.index("orders"));
            if (!documents.isEmpty()) {
                return Long.parseLong(documents.keySet().iterator().next());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no document of the snapshot reached Elasticsearch index "
                        + elasticsearch.index("orders") + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until Elasticsearch, Redis and Kafka hold progress seq {@code seq}. */
    void awaitProgressEverywhere(long seq, KafkaEvents records, RedisClient client, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            requireRunning("while waiting for progress seq " + seq);
            OptionalLong inElasticsearch = elasticsearchProgress();
            OptionalLong inRedis = redisProgress(client);
            boolean inKafka = records.readToEnd(Duration.ofSeconds(30)).stream()
                    .anyMatch(r -> r.topic().equals(progressTopic()) && !r.isTombstone()
                            && r.after().path("seq").asLong() == seq);
            if (inElasticsearch.equals(OptionalLong.of(seq)) && inRedis.equals(OptionalLong.of(seq)) && inKafka) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("progress seq " + seq + " did not reach every sink within "
                        + timeout.toSeconds() + " s: Elasticsearch " + inElasticsearch + ", Redis " + inRedis
                        + ", Kafka " + (inKafka ? "has it" : "has not"));
            }
            Thread.sleep(200);
        }
    }

    RedisClient redisClient() {
        return redis.redisClient();
    }

    /**
     * Waits until every Elasticsearch document and every Redis key of both tables equals its row, with no document
     * or key for a row that does not exist; fails with the differences.
     */
    void awaitSinksEqualSource(Duration timeout) throws InterruptedException {
        try (RedisClient client = redis.redisClient()) {
            awaitEqual("Elasticsearch index " + elasticsearch.index("orders") + " against the rows of orders",
                    () -> uncheckedSql(() -> elasticsearch.expectedDocuments("orders", "id::text", ORDERS_DOCUMENT)),
                    () -> documents("orders"), timeout);
            awaitEqual("Elasticsearch index " + elasticsearch.index("progress") + " against the rows of progress",
                    () -> uncheckedSql(() -> elasticsearch.expectedDocuments("progress", "id::text",
                            "jsonb_build_object('id', id, 'seq', seq)")),
                    () -> documents("progress"), timeout);
            awaitEqual("Redis keys " + redis.keyPrefix() + "orders:* against the rows of orders",
                    () -> uncheckedSql(() -> redis.expected("orders", 1, ORDERS_ROW)),
                    () -> redis.cached(client, "orders", REDIS_VALUES), timeout);
            awaitEqual("Redis keys " + redis.keyPrefix() + "progress:* against the rows of progress",
                    () -> uncheckedSql(() -> redis.expected("progress", 1, "SELECT id::text, seq::text FROM progress")),
                    () -> redis.cached(client, "progress", REDIS_VALUES), timeout);
        }
    }

    private Map<String, Map<String, Object>> documents(String table) {
        Map<String, Map<String, Object>> sources = new LinkedHashMap<>();
        elasticsearch.http.documents(elasticsearch.index(table)).forEach((id, document) ->
                sources.put(id, document.source()));
        return sources;
    }

    /** Polls until the maps are equal; on timeout fails naming the missing, extra and different entries. */
    private static <V> void awaitEqual(String what, Supplier<Map<String, V>> expected, Supplier<Map<String, V>> actual,
            Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Map<String, V> want = expected.get();
            Map<String, V> have = actual.get();
            if (want.equals(have)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + " still differ after " + timeout.toSeconds() + " s: "
                        + difference(want, have));
            }
            Thread.sleep(500);
        }
    }

    static <V> String difference(Map<String, V> expected, Map<String, V> actual) {
        Map<String, V> missing = new TreeMap<>();
        Map<String, V> extra = new TreeMap<>();
        Map<String, String> different = new TreeMap<>();
        expected.forEach((key, value) -> {
            if (!actual.containsKey(key)) {
                missing.put(key, value);
            } else if (!value.equals(actual.get(key))) {
                different.put(key, "expected " + value + " but was " + actual.get(key));
            }
        });
        actual.forEach((key, value) -> {
            if (!expected.containsKey(key)) {
                extra.put(key, value);
            }
        });
        return expected.size() + " expected, " + actual.size() + " present; " + missing.size() + " missing "
                + first(missing) + ", " + extra.size() + " extra (rows that do not exist) " + first(extra) + ", "
                + different.size() + " different " + first(different);
    }

    private static <V> String first(Map<String, V> entries) {
        return entries.entrySet().stream().limit(5).toList().toString();
    }

    private interface SqlQuery<T> {
        T run() throws SQLException;
    }

    private static <T> T uncheckedSql(SqlQuery<T> query) {
        try {
            return query.run();
        } catch (SQLException e) {
            throw new IllegalStateException("reading the expected rows failed: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
