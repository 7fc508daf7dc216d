package io.sluice.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.it.Servers;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Backpressure keeps memory bounded: the packaged Sluice runs with a 256 MB heap while its Redis is down and the
 * source goes on writing about twice the heap: rows of 64 KB (a queue of 8,192 of them, Debezium's
 * record bound, would be 512 MB: only its byte bound keeps them out of the heap), then rows of about 1 KB. Sluice must
 * neither die nor run out of memory, and once Redis is back every row must reach every sink. The peak heap (from the
 * child's GC log) and peak RSS (VmHWM) are printed. {@code sluice.memory.large-rows} and
 * {@code sluice.memory.small-rows} change the load, {@code sluice.memory.heap} the heap (e.g. {@code 128m}).
 */
class BoundedMemoryIT {
    private static final String HEAP = "-Xmx" + System.getProperty("sluice.memory.heap", "256m");
    private static final int SMALL_ROWS = Integer.getInteger("sluice.memory.small-rows", 60_000);
    private static final int SMALL_ROWS_PER_TRANSACTION = 1_000;
    /** {@code repeat(md5(id), 32)}: 1,024 characters. */
    private static final String SMALL_NOTE = "repeat(md5(g::text), 32)";
    private static final int LARGE_ROWS = Integer.getInteger("sluice.memory.large-rows", 7_000);
    private static final int LARGE_ROWS_PER_TRANSACTION = 20;
    /** {@code repeat(md5(id), 2048)}: 65,536 characters. */
    private static final String LARGE_NOTE = "repeat(md5(g::text), 2048)";
    private static final int TOTAL_ROWS = SMALL_ROWS + LARGE_ROWS;
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(90);
    /** How long Sluice must stay up with Redis down after the writes, its queue full. */
    private static final Duration STALLED = Duration.ofSeconds(10);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalElasticsearch elasticsearch;
    private static LocalRedis redis;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        elasticsearch = LocalElasticsearch.start();
        redis = LocalRedis.start(LocalRedis.Options.DEFAULT.withPersistence(LocalRedis.Persistence.APPEND_ONLY));
    }

    @AfterAll
    static void stopServers() {
        Servers.stopAll(redis, elasticsearch, kafka, postgres);
    }

    @Test
    void aSmallHeapOutlastsADownSinkWhileTheSourceWritesMoreThanTheHeapAndNothingIsLost() throws Exception {
        Path logDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target",
                "memory-logs");
        CrashPipeline pipeline = new CrashPipeline(postgres, kafka, elasticsearch, redis, "bounded_heap", workDir,
                OffsetsStore.FILE, logDir);
        Path gcLog = logDir.resolve("gc.log");
        Files.deleteIfExists(gcLog);
        try {
            pipeline.start(List.of(HEAP, "-Xlog:gc:file=" + gcLog));
            pipeline.awaitStreaming(STREAMING_TIMEOUT);

            redis.stop();
            Instant redisDown = Instant.now();
            long bytes = write(pipeline, LARGE_ROWS, 0, LARGE_ROWS_PER_TRANSACTION, LARGE_NOTE)
                    + write(pipeline, SMALL_ROWS, LARGE_ROWS, SMALL_ROWS_PER_TRANSACTION, SMALL_NOTE);
            Instant written = Instant.now();
            sleepWhileRunning(pipeline, STALLED);
            long rssWhileStalled = rssKilobytes(pipeline.pid(), "VmRSS");
            redis.restart();

            awaitCount(pipeline, "Redis", () -> redisRows(pipeline));
            awaitCount(pipeline, "Elasticsearch", () -> elasticsearchRows(pipeline));
            awaitCount(pipeline, "Kafka", () -> kafkaRows(pipeline));
            Instant caughtUp = Instant.now();
            long peakRss = rssKilobytes(pipeline.pid(), "VmHWM");
            assertThat(pipeline.stop()).as("exit code after SIGTERM").isZero();

            assertThat(pipeline.logText()).as("Sluice's log").doesNotContain("OutOfMemoryError", "Java heap space")
                    .contains("pipeline 'bounded_heap', sink redis is down")
                    .contains("pipeline 'bounded_heap', sink redis recovered");
            assertSampleRowsEqualSource(pipeline);
            long[] heap = peakHeapMegabytes(gcLog);
            System.out.printf("bounded heap (%s): %d rows (%d MB of notes) written in %d s while Redis was down;"
                    + " every sink had every row %d s after Redis came back; heap in use at most %d MB (before a"
                    + " collection), at most %d MB right after a young or mixed one (%d collections); RSS %d MB while"
                    + " stalled, peak RSS %d MB%n", HEAP,
                    TOTAL_ROWS, bytes >> 20, Duration.between(redisDown, written).toSeconds(),
                    Duration.between(written.plus(STALLED), caughtUp).toSeconds(), heap[0], heap[1], heap[2],
                    rssWhileStalled >> 10, peakRss >> 10);
        } finally {
            pipeline.killIfRunning();
        }
    }

    /**
     * Inserts {@code rows} rows with ids after {@code firstId}, {@code perTransaction} to a transaction, failing at
     * once if Sluice exits meanwhile; returns the bytes of notes written.
     */
    private static long write(CrashPipeline pipeline, int rows, int firstId, int perTransaction, String note)
            throws Exception {
        long bytes = 0;
        try (Connection connection = pipeline.connect(); Statement statement = connection.createStatement()) {
            for (int from = firstId + 1; from <= firstId + rows; from += perTransaction) {
                int to = Math.min(firstId + rows, from + perTransaction - 1);
                statement.executeUpdate("INSERT INTO orders SELECT g, 1, 'new', g * 1.25, " + note
                        + " FROM generate_series(" + from + ", " + to + ") g");
                bytes += (long) (to - from + 1) * (note.equals(SMALL_NOTE) ? 1024 : 65536);
                pipeline.requireRunning("while the source was written with Redis down");
            }
        }
        return bytes;
    }

    private static void sleepWhileRunning(CrashPipeline pipeline, Duration duration) throws InterruptedException {
        Instant end = Instant.now().plus(duration);
        while (Instant.now().isBefore(end)) {
            pipeline.requireRunning("while Redis was down");
            Thread.sleep(200);
        }
    }

    /** Waits until the sink holds {@link #TOTAL_ROWS} rows of orders, failing if Sluice exits. */
    private static void awaitCount(CrashPipeline pipeline, String sink, LongSupplier rows) throws Exception {
        Instant deadline = Instant.now().plus(CATCH_UP_TIMEOUT);
        long count;
        while ((count = rows.getAsLong()) != TOTAL_ROWS) {
            pipeline.requireRunning("while the sinks caught up");
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(sink + " holds " + count + " of " + TOTAL_ROWS + " rows after "
                        + CATCH_UP_TIMEOUT.toSeconds() + " s; Sluice's log ends with:\n" + pipeline.logTail());
            }
            Thread.sleep(1_000);
        }
    }

    private static long redisRows(CrashPipeline pipeline) {
        try (RedisClient client = pipeline.redisClient()) {
            long keys = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(pipeline.redis.keyPrefix() + "orders:*").count(5_000);
            do {
                ScanResult<String> page = client.scan(cursor, match);
                keys += page.getResult().size();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return keys;
        }
    }

    private static long elasticsearchRows(CrashPipeline pipeline) {
        String index = pipeline.elasticsearch.index("orders");
        if (!pipeline.elasticsearch.http.exists(index)) {
            return 0;
        }
        return pipeline.elasticsearch.http.get("/" + index + "/_count").path("count").asLong();
    }

    /** Distinct rows (keys) in the orders topic: reads keys only, from the beginning to the end. */
    private static long kafkaRows(CrashPipeline pipeline) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(pipeline.ordersTopic(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            BitSet ids = new BitSet(TOTAL_ROWS + 1);
            Instant deadline = Instant.now().plusSeconds(120);
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("reading " + pipeline.ordersTopic() + " took over 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null) {
                        ids.set(readJson(record.key()).path("id").asInt());
                    }
                }
            }
            return ids.cardinality();
        }
    }

    /** Compares the first, the last, and every 97th row of each kind in Redis and Elasticsearch with the source. */
    private static void assertSampleRowsEqualSource(CrashPipeline pipeline) throws Exception {
        try (RedisClient client = pipeline.redisClient(); Connection connection = pipeline.connect();
                Statement statement = connection.createStatement()) {
            for (int id = 1; id <= TOTAL_ROWS; id = next(id)) {
                String note;
                try (var rs = statement.executeQuery("SELECT note FROM orders WHERE id = " + id)) {
                    assertThat(rs.next()).as("row %d in the source", id).isTrue();
                    note = rs.getString(1);
                }
                JsonNode cached = readJson(client.get(pipeline.redis.keyPrefix() + "orders:" + id).getBytes());
                assertThat(cached.path("note").asText()).as("note of row %d in Redis", id).isEqualTo(note);
                assertThat(pipeline.elasticsearch.http.source(pipeline.elasticsearch.index("orders"),
                        Integer.toString(id)).orElseThrow().path("note").asText())
                        .as("note of row %d in Elasticsearch", id).isEqualTo(note);
            }
        }
    }

    /** 1, 98, ..., the last large row, the first small row, ..., the last row; then past the end. */
    private static int next(int id) {
        if (id == LARGE_ROWS || id >= TOTAL_ROWS - 1) {
            return id + 1;
        }
        int next = id + 97;
        return id < LARGE_ROWS && next > LARGE_ROWS ? LARGE_ROWS : Math.min(next, TOTAL_ROWS - 1);
    }

    /** From /proc: {@code VmRSS} now or {@code VmHWM}, the peak, in kB. */
    private static long rssKilobytes(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    /**
     * From the GC log: the largest heap before a collection, the largest after an evacuating one (young, mixed or
     * full: what survived, roughly the live data), and the collections.
     */
    private static long[] peakHeapMegabytes(Path gcLog) throws IOException {
        long before = 0;
        long after = 0;
        long collections = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                before = Math.max(before, Long.parseLong(m.group(1)));
                if (line.contains("Pause Young") || line.contains("Pause Full")) {
                    // Young collections leave old regions as they are: this still counts old garbage.
                    after = Math.max(after, Long.parseLong(m.group(2)));
                    collections++;
                }
            }
        }
        return new long[] {before, after, collections};
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes), e);
        }
    }
}
