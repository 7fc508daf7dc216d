package io.sluice.it.crash;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.event.Lsn;
import io.sluice.it.KafkaEvents;
import io.sluice.it.KafkaEvents.Received;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import redis.clients.jedis.RedisClient;

/**
 * Samples a running pipeline every {@value #INTERVAL_MILLIS} ms and checks invariant M ({@code slot confirmed_flush_lsn
 * <= stored offset <= lowest position acknowledged by every sink}):
 * <ol type="a">
 * <li>read the slot's {@code confirmed_flush_lsn} C, then the stored offset's LSN L: C &lt;= L (and while nothing
 * with an LSN is stored, the slot does not move at all);</li>
 * <li>with L read, read each sink's copy of the {@code progress} row (Elasticsearch real-time GET, Redis GET, Kafka
 * read up to the end offsets): with n the largest writer seq whose upper bound A (the WAL insert position read after
 * its commit) is &lt;= L, each sink holds seq &gt;= n. Sound because A &gt;= the transaction's commit LSN, so that
 * transaction is at or before the stored offset and every sink acknowledged it before the offset was stored.</li>
 * </ol>
 * Reads that fail (a server down on purpose) skip that part of a sample and are counted. Check (b) is evaluated at
 * the end, against every transaction the writer committed, so late-recorded bounds still count.
 */
final class InvariantMonitor implements AutoCloseable {
    static final long INTERVAL_MILLIS = 200;
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(2);
    private static final int VIOLATIONS_SHOWN = 20;
    /** A sink that holds no progress row yet. */
    private static final long ABSENT = -1;

    /**
     * One sample. A sink's value is its progress seq, {@value #ABSENT} when it has no progress row yet, and
     * {@code null} when it could not be read.
     */
    record Sample(Instant at, OptionalLong stored, boolean snapshotStored, Long elasticsearch, Long redis,
            Long kafka) {
    }

    /**
     * What the monitor saw.
     *
     * @param samples          samples taken
     * @param slotChecks       samples where (a) was checked
     * @param sinkChecks       sink comparisons made by (b), all sinks together
     * @param maxSlotLagBytes  largest stored offset minus confirmed_flush_lsn seen
     * @param skipped          reads that failed, by what was read
     * @param violationCount   violations of (a) or (b)
     * @param violations       the first {@value #VIOLATIONS_SHOWN} of them
     */
    record Result(int samples, int slotChecks, int sinkChecks, long maxSlotLagBytes, Map<String, Integer> skipped,
            int violationCount, List<String> violations) {
        boolean clean() {
            return violationCount == 0;
        }
    }

    private final CrashPipeline pipeline;
    private final LoadWriter writer;
    private final OffsetStore offsets;
    private final Thread thread;
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private int violationCount;
    private int slotChecks;
    private long maxSlotLag;
    /** confirmed_flush_lsn while no LSN was stored: it must never change then. */
    private Long unstoredConfirmedFlush;
    private volatile Sample latest;
    private volatile boolean stopped;
    private volatile Exception failure;
    private Result result;

    /** Opens the pipeline's offsets store at once, so a store this build cannot open fails the test here. */
    InvariantMonitor(CrashPipeline pipeline, LoadWriter writer) {
        this.pipeline = pipeline;
        this.writer = writer;
        this.offsets = pipeline.openOffsetStore();
        this.thread = new Thread(this::run, "crash-invariant-monitor");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The stored offset's LSN as last sampled. */
    OptionalLong storedLsn() {
        Sample sample = latest;
        return sample == null ? OptionalLong.empty() : sample.stored();
    }

    /** Waits until the stored offset is beyond {@code before} (or present at all, if that was empty). */
    void awaitStoredBeyond(OptionalLong before, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            pipeline.requireRunning("before it stored an offset");
            OptionalLong now = storedLsn();
            if (now.isPresent() && (before.isEmpty() || now.getAsLong() > before.getAsLong())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Sluice stored no offset beyond " + (before.isEmpty() ? "none"
                        : Lsn.format(before.getAsLong())) + " within " + timeout.toSeconds() + " s; last sample: "
                        + describe(latest));
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }

    /**
     * Waits until every sink holds the progress row of {@code last} and the stored offset is past its commit
     * (beyond the insert position read just before it), failing if Sluice exits or {@code timeout} passes.
     */
    void awaitCaughtUp(LoadWriter.Transaction last, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            pipeline.requireRunning("while catching up");
            Sample sample = latest;
            if (sample != null && caughtUp(sample, last)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the pipeline did not catch up within " + timeout.toSeconds()
                        + " s: expected every sink at progress seq " + last.seq() + " and a stored offset past "
                        + Lsn.format(last.lowerBound()) + "; last sample: " + describe(sample));
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }

    /**
     * Waits until every sink holds the snapshot's progress row and the stored offset says the snapshot is complete,
     * so a kill from then on leads to streaming, not to a second snapshot.
     */
    void awaitSnapshotStored(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            pipeline.requireRunning("during the initial snapshot");
            Sample sample = latest;
            if (sample != null && sample.snapshotStored() && present(sample.elasticsearch())
                    && present(sample.redis()) && present(sample.kafka())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the snapshot was not delivered and stored as complete within "
                        + timeout.toSeconds() + " s; last sample: " + describe(sample));
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }

    private static boolean present(Long seq) {
        return seq != null && seq != ABSENT;
    }

    private static boolean caughtUp(Sample sample, LoadWriter.Transaction last) {
        return sample.stored().isPresent() && sample.stored().getAsLong() > last.lowerBound()
                && Long.valueOf(last.seq()).equals(sample.elasticsearch())
                && Long.valueOf(last.seq()).equals(sample.redis())
                && Long.valueOf(last.seq()).equals(sample.kafka());
    }

    /** The last sample in words, with the writer transaction its stored offset covers. */
    String describeLatest() {
        return describe(latest);
    }

    private String describe(Sample sample) {
        if (sample == null) {
            return "none yet";
        }
        String stored = sample.stored().isEmpty() ? "none" : Lsn.format(sample.stored().getAsLong()) + " (covers seq "
                + lastCommittedAtOrBefore(writer.transactions(), sample.stored().getAsLong()) + ")";
        return "stored offset " + stored + (sample.snapshotStored() ? "" : " (snapshot not stored as complete)")
                + ", progress seq in Elasticsearch " + seq(sample.elasticsearch())
                + ", Redis " + seq(sample.redis()) + ", Kafka " + seq(sample.kafka()) + " (at " + sample.at() + ")";
    }

    private static String seq(Long value) {
        return value == null ? "unreadable" : value == ABSENT ? "absent" : value.toString();
    }

    /** Stops sampling and evaluates check (b); idempotent. */
    Result stop() throws InterruptedException {
        if (result != null) {
            return result;
        }
        stopped = true;
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new AssertionError("the invariant monitor did not stop within 30 s");
        }
        if (failure != null) {
            throw new AssertionError("the invariant monitor failed: " + failure.getMessage(), failure);
        }
        int sinkChecks = checkSinks();
        if (slotChecks == 0 || sinkChecks == 0) {
            violation("the monitor completed no " + (slotChecks == 0 ? "slot" : "sink")
                    + " check in " + samples.size() + " samples; it proved nothing (skipped reads: " + skipped + ")");
        }
        result = new Result(samples.size(), slotChecks, sinkChecks, maxSlotLag, Map.copyOf(skipped),
                violationCount, List.copyOf(violations));
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
    }

    private void run() {
        Connection postgres = null;
        KafkaEvents kafka = null;
        int kafkaRead = 0;
        long kafkaMax = ABSENT;
        try (RedisClient redis = pipeline.redisClient()) {
            while (!stopped) {
                long began = System.nanoTime();
                OptionalLong confirmed = null;
                try {
                    if (postgres == null) {
                        postgres = pipeline.connect();
                    }
                    confirmed = pipeline.confirmedFlushLsn(postgres);
                } catch (SQLException e) {
                    skip("slot");
                    postgres = closeQuietly(postgres);
                }
                CrashPipeline.StoredOffset stored = null;
                try {
                    stored = pipeline.storedOffset(offsets);
                } catch (OffsetStoreException | RuntimeException e) {
                    skip("stored offset");
                }
                Long elasticsearch = null;
                try {
                    elasticsearch = pipeline.elasticsearchProgress().orElse(ABSENT);
                } catch (RuntimeException e) {
                    skip("elasticsearch");
                }
                Long redisSeq = null;
                try {
                    redisSeq = pipeline.redisProgress(redis).orElse(ABSENT);
                } catch (RuntimeException e) {
                    skip("redis");
                }
                Long kafkaSeq = null;
                try {
                    if (kafka == null) {
                        kafka = KafkaEvents.ofTopics(pipeline.base.kafka.bootstrapServers(),
                                List.of(pipeline.progressTopic()), KAFKA_TIMEOUT);
                    }
                    List<Received> records = kafka.readToEnd(KAFKA_TIMEOUT);
                    for (Received record : records.subList(kafkaRead, records.size())) {
                        if (!record.isTombstone() && !record.op().equals("d")) {
                            kafkaMax = Math.max(kafkaMax, record.after().path("seq").asLong());
                        }
                    }
                    kafkaRead = records.size();
                    kafkaSeq = kafkaMax;
                } catch (RuntimeException e) {
                    skip("kafka");
                }
                keep(confirmed, new Sample(Instant.now(), stored == null ? OptionalLong.empty() : stored.lsn(),
                        stored != null && stored.snapshotComplete(), elasticsearch, redisSeq, kafkaSeq),
                        stored != null);
                long left = INTERVAL_MILLIS - (System.nanoTime() - began) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            closeQuietly(postgres);
            if (kafka != null) {
                kafka.close();
            }
            offsets.close();
        }
    }

    /** Checks (a) at once and keeps the sample for (b). */
    private synchronized void keep(OptionalLong confirmed, Sample sample, boolean storedRead) {
        OptionalLong stored = sample.stored();
        samples.add(sample);
        latest = sample;
        if (confirmed == null || confirmed.isEmpty() || !storedRead) {
            return;
        }
        slotChecks++;
        long flushed = confirmed.getAsLong();
        if (stored.isEmpty()) {
            if (unstoredConfirmedFlush == null) {
                unstoredConfirmedFlush = flushed;
            } else if (unstoredConfirmedFlush != flushed) {
                violation(sample.at() + ": the slot moved from " + Lsn.format(unstoredConfirmedFlush) + " to "
                        + Lsn.format(flushed) + " while no offset with an LSN was stored");
            }
            return;
        }
        long lag = stored.getAsLong() - flushed;
        maxSlotLag = Math.max(maxSlotLag, lag);
        if (lag < 0) {
            violation(sample.at() + ": slot confirmed_flush_lsn " + Lsn.format(flushed) + " is ahead of the stored"
                    + " offset " + Lsn.format(stored.getAsLong()) + " (read after it)");
        }
    }

    /** Check (b) over every sample; returns how many sink values were compared. */
    private synchronized int checkSinks() {
        List<LoadWriter.Transaction> transactions = writer.transactions();
        int checks = 0;
        for (Sample sample : samples) {
            if (sample.stored().isEmpty()) {
                continue;
            }
            long n = lastCommittedAtOrBefore(transactions, sample.stored().getAsLong());
            checks += checkSink("Elasticsearch", sample.elasticsearch(), n, sample);
            checks += checkSink("Redis", sample.redis(), n, sample);
            checks += checkSink("Kafka", sample.kafka(), n, sample);
        }
        return checks;
    }

    private int checkSink(String sink, Long seq, long n, Sample sample) {
        if (seq == null) {
            return 0;
        }
        if (seq < n) {
            violation(sample.at() + ": stored offset " + Lsn.format(sample.stored().getAsLong()) + " covers writer"
                    + " transaction " + n + ", but " + sink + " held progress seq " + seq(seq) + " (read after it)");
        }
        return 1;
    }

    /** The largest seq whose upper bound is at or before {@code lsn}; 0 if none. Upper bounds grow with seq. */
    private static long lastCommittedAtOrBefore(List<LoadWriter.Transaction> transactions, long lsn) {
        int low = 0;
        int high = transactions.size() - 1;
        long found = 0;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (transactions.get(mid).upperBound() <= lsn) {
                found = transactions.get(mid).seq();
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    private void violation(String message) {
        violationCount++;
        if (violations.size() < VIOLATIONS_SHOWN) {
            violations.add(message);
        }
    }

    private synchronized void skip(String what) {
        skipped.merge(what, 1, Integer::sum);
    }

    private static Connection closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Broken already; nothing to release.
            }
        }
        return null;
    }
}
