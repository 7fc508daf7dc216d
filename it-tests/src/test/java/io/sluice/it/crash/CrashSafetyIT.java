package io.sluice.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.PipelineId;
import io.sluice.it.KafkaEvents;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.Servers;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.RedisClient;

/**
 * Fault injection against the packaged Sluice and real servers: kill -9 at random moments, PostgreSQL restarted and
 * Kafka down for 30 s while a random load is written. Each run ends with every Elasticsearch document and Redis key
 * equal to its row, every change in Kafka at least once, and invariant M never seen broken by the
 * {@link InvariantMonitor}. Figures go to {@code target/crash-report-*.json}; docs/crash-testing.md has the details.
 *
 * <p>System properties: {@code sluice.crash.changes} (row changes of the kill test, default 100000),
 * {@code sluice.crash.cycles} (kills, default 10), {@code sluice.crash.outage-changes} (row changes of each outage
 * test, default 20000), {@code sluice.crash.seed} (repeats a run's load and delays).
 */
class CrashSafetyIT {
    private static final long CHANGES = Long.getLong("sluice.crash.changes", 100_000);
    private static final int KILLS = Integer.getInteger("sluice.crash.cycles", 10);
    private static final long OUTAGE_CHANGES = Long.getLong("sluice.crash.outage-changes", 20_000);
    private static final long SEED = Long.getLong("sluice.crash.seed", System.nanoTime());
    /** Ids in use stay around half of this, so one index read holds every document. */
    private static final int ID_SPACE = 3_000;
    private static final int SEED_ROWS = 1_500;
    /** The outage tests write at this pace, so the load goes on before, during and after the outage. */
    private static final double OUTAGE_PACE = 1_000;
    /**
     * One kill in four comes at a random moment of start-up (JVM, sinks, Debezium: several seconds here), one in four
     * within this after Sluice logged that it streams (its first batches), half within this after the run stored an
     * offset of its own (steady delivery, with events written but not yet committed).
     */
    private static final Duration MAX_START_UP_KILL_DELAY = Duration.ofSeconds(6);
    private static final Duration MAX_STREAMING_KILL_DELAY = Duration.ofSeconds(3);
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(90);
    /** Rows in the table while the snapshot is killed: a snapshot of several seconds, one index read holds them. */
    private static final int SNAPSHOT_KILL_ROWS = 9_000;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SINKS_EQUAL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POSTGRES_DOWN = Duration.ofSeconds(3);
    private static final Duration KAFKA_DOWN = Duration.ofSeconds(30);
    private static final int SIGTERM_EXIT = 0;

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
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopServers() {
        Servers.stopAll(redis, elasticsearch, kafka, postgres);
    }

    /**
     * The kill test, once per offsets store. The JDBC and Kafka stores fail until this build has them: the monitor
     * cannot open them and says so.
     */
    @ParameterizedTest(name = "offsets in a {0} store")
    @EnumSource(OffsetsStore.class)
    void killedAtRandomMomentsLosesNothingAndNeverBreaksInvariantM(OffsetsStore store) throws Exception {
        Random delays = new Random(SEED);
        Scenario scenario = new Scenario("kill-9", store, "kill_" + store.yamlName(), CHANGES,
                Double.POSITIVE_INFINITY);
        scenario.run(store.yamlName(), run -> {
            for (int kill = 1; kill <= KILLS; kill++) {
                // The writer gets an equal share of the load per run of Sluice, so every run sees changes arrive.
                run.writer().allowUpTo(CHANGES * kill / KILLS);
                int moment = delays.nextInt(4);
                if (moment == 0) {
                    sleepWhileRunning(run.pipeline(), randomDelay(delays, MAX_START_UP_KILL_DELAY),
                            "before kill " + kill);
                } else {
                    if (moment == 1) {
                        run.pipeline().awaitStreaming(STREAMING_TIMEOUT);
                    } else {
                        run.awaitOffsetStoredByThisRun(STREAMING_TIMEOUT);
                    }
                    sleepWhileRunning(run.pipeline(), randomDelay(delays, MAX_STREAMING_KILL_DELAY),
                            "before kill " + kill);
                }
                run.killAndRestart();
            }
        });
    }

    /** PostgreSQL stops (fast shutdown) for a few seconds mid-stream; Sluice must wait, reconnect and lose nothing. */
    @Test
    void postgresRestartedMidStreamIsWaitedOutAndLosesNothing() throws Exception {
        Scenario scenario = new Scenario("postgres-restart", OffsetsStore.FILE, "pg_restart", OUTAGE_CHANGES,
                OUTAGE_PACE);
        scenario.run("postgres-restart", run -> {
            run.writer().allowUpTo(OUTAGE_CHANGES);
            run.writer().awaitWritten(OUTAGE_CHANGES / 3, Duration.ofMinutes(2));
            postgres.stop();
            sleepWhileRunning(run.pipeline(), POSTGRES_DOWN, "while PostgreSQL was down");
            postgres.restart();
            sleepWhileRunning(run.pipeline(), Duration.ofSeconds(5), "after PostgreSQL came back");
        });
    }

    /** The Kafka broker is down for 30 s mid-stream; Sluice must retry, keep the other sinks going and lose nothing. */
    @Test
    void kafkaDownForThirtySecondsMidStreamIsWaitedOutAndLosesNothing() throws Exception {
        Scenario scenario = new Scenario("kafka-outage", OffsetsStore.FILE, "kafka_outage", OUTAGE_CHANGES,
                OUTAGE_PACE);
        scenario.run("kafka-outage", run -> {
            run.writer().allowUpTo(OUTAGE_CHANGES);
            run.writer().awaitWritten(OUTAGE_CHANGES / 4, Duration.ofMinutes(2));
            kafka.stop();
            sleepWhileRunning(run.pipeline(), KAFKA_DOWN, "while Kafka was down");
            kafka.restart();
        });
    }

    /**
     * Killed during the initial snapshot, Sluice snapshots again on restart, now on an existing slot. Debezium alone
     * would take that snapshot at the current WAL position and stream from there, so a row the first snapshot had
     * delivered and that was deleted meanwhile would stay in Elasticsearch and Redis for good and Kafka would never
     * get its delete; Sluice streams from the slot's position instead (ADR 0001, snapshots on an existing slot).
     */
    @ParameterizedTest(name = "killed {0} a mid-snapshot offset was stored")
    @ValueSource(strings = {"before", "after"})
    void killedDuringTheInitialSnapshotStillDeliversChangesMadeMeanwhile(String when) throws Exception {
        boolean afterStoredOffset = when.equals("after");
        String name = "snapshot_kill_" + when;
        CrashPipeline pipeline = new CrashPipeline(postgres, kafka, elasticsearch, redis, name, workDir,
                OffsetsStore.FILE, targetDirectory().resolve("crash-logs").resolve(name));
        // With an offset stored first, the snapshot must still run when the kill comes: more rows.
        int rows = afterStoredOffset ? 4 * SNAPSHOT_KILL_ROWS : SNAPSHOT_KILL_ROWS;
        pipeline.base.sql("INSERT INTO orders SELECT g, 1, 'new', g * 1.25, NULL FROM generate_series(1, "
                + rows + ") g");
        try (KafkaEvents records = KafkaEvents.ofTopics(kafka.bootstrapServers(),
                List.of(pipeline.ordersTopic(), pipeline.progressTopic()), KAFKA_TIMEOUT);
                RedisClient redisClient = pipeline.redisClient()) {
            pipeline.start();
            long deleted = pipeline.awaitFirstSnapshotDocument(SNAPSHOT_TIMEOUT);
            long updated = deleted == 1 ? 2 : 1;
            pipeline.base.sql("DELETE FROM orders WHERE id = " + deleted,
                    "UPDATE orders SET rev = 2, status = 'paid' WHERE id = " + updated);
            if (afterStoredOffset) {
                awaitMidSnapshotOffset(pipeline);
            }
            pipeline.kill();
            try (OffsetStore offsets = pipeline.openOffsetStore()) {
                assertThat(pipeline.storedOffset(offsets).snapshotComplete())
                        .as("the snapshot of %d rows was still running at the kill (else raise the row count)",
                                rows)
                        .isFalse();
            }

            pipeline.start();
            pipeline.awaitStreaming(STREAMING_TIMEOUT);
            pipeline.base.sql("UPDATE progress SET seq = 1 WHERE id = 1");
            pipeline.awaitProgressEverywhere(1, records, redisClient, CATCH_UP_TIMEOUT);

            List<Received> all = records.readToEnd(KAFKA_TIMEOUT);
            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(pipeline.elasticsearch.http.source(pipeline.elasticsearch.index("orders"),
                            Long.toString(deleted)))
                    .as("Elasticsearch document of row %d, deleted between the kill's snapshot and the next", deleted)
                    .isEmpty();
            softly.assertThat(redisClient.exists(pipeline.redis.keyPrefix() + "orders:" + deleted))
                    .as("Redis key of row %d, deleted between the kill's snapshot and the next", deleted).isFalse();
            softly.assertThat(opsOf(all, pipeline.ordersTopic(), deleted))
                    .as("Kafka records of row %d, deleted while the snapshot ran", deleted).contains("d");
            softly.assertThat(opsOf(all, pipeline.ordersTopic(), updated))
                    .as("Kafka records of row %d, updated while the snapshot ran", updated).contains("u");
            softly.assertAll();
            pipeline.awaitSinksEqualSource(SINKS_EQUAL_TIMEOUT);
            assertThat(pipeline.stop()).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT);
        } finally {
            pipeline.killIfRunning();
        }
    }

    private static List<String> opsOf(List<Received> records, String topic, long id) {
        return records.stream()
                .filter(r -> r.topic().equals(topic) && !r.isTombstone() && r.key().path("id").asLong() == id)
                .map(Received::op)
                .toList();
    }

    private static Duration randomDelay(Random random, Duration max) {
        return Duration.ofMillis(1 + random.nextLong(max.toMillis()));
    }

    /** Sleeps, failing at once if Sluice exits meanwhile. */
    private static void sleepWhileRunning(CrashPipeline pipeline, Duration duration, String when)
            throws InterruptedException {
        Instant end = Instant.now().plus(duration);
        while (Instant.now().isBefore(end)) {
            pipeline.requireRunning(when);
            Thread.sleep(Math.min(200, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
        }
        pipeline.requireRunning(when);
    }

    /** What a fault does to a running pipeline while the writer writes. */
    private interface Fault {
        void inject(Run run) throws Exception;
    }

    /** A running scenario as a fault sees it. */
    private static final class Run {
        private final CrashPipeline pipeline;
        private final LoadWriter writer;
        private final InvariantMonitor monitor;
        private final KafkaEvents records;
        /** Kafka's end offsets after each kill, which attribute duplicates to the run that wrote them. */
        private final List<Map<TopicPartition, Long>> runEnds = new ArrayList<>();
        private final List<CrashReport.Kill> kills = new ArrayList<>();
        private OptionalLong storedAtStart;

        Run(CrashPipeline pipeline, LoadWriter writer, InvariantMonitor monitor, KafkaEvents records) {
            this.pipeline = pipeline;
            this.writer = writer;
            this.monitor = monitor;
            this.records = records;
            this.storedAtStart = monitor.storedLsn();
        }

        CrashPipeline pipeline() {
            return pipeline;
        }

        LoadWriter writer() {
            return writer;
        }

        /** Waits until the running Sluice stored an offset beyond the one stored when it started. */
        void awaitOffsetStoredByThisRun(Duration timeout) throws InterruptedException {
            monitor.awaitStoredBeyond(storedAtStart, timeout);
        }

        /**
         * kill -9 and start again, noting what phase Sluice was in, what the monitor saw last, and where its run
         * ended in Kafka.
         */
        void killAndRestart() throws IOException, InterruptedException {
            CrashReport.Phase phase = !pipeline.isStreaming() ? CrashReport.Phase.START_UP
                    : monitor.storedLsn().equals(storedAtStart) ? CrashReport.Phase.STREAMING_BEFORE_OWN_OFFSET
                    : CrashReport.Phase.STREAMING_AFTER_OWN_OFFSET;
            String lastSample = monitor.describeLatest();
            pipeline.kill();
            kills.add(new CrashReport.Kill(phase, Instant.now().toString(), writer.writtenChanges(), lastSample));
            runEnds.add(records.endOffsets(KAFKA_TIMEOUT));
            storedAtStart = monitor.storedLsn();
            pipeline.start();
        }
    }

    /** One pipeline, load and monitor from start to the final checks. */
    private final class Scenario {
        private final String name;
        private final OffsetsStore store;
        private final String pipelineName;
        private final long changes;
        private final double pace;

        Scenario(String name, OffsetsStore store, String pipelineName, long changes, double pace) {
            this.name = name;
            this.store = store;
            this.pipelineName = pipelineName;
            this.changes = changes;
            this.pace = pace;
        }

        void run(String reportName, Fault fault) throws Exception {
            Path target = targetDirectory();
            CrashPipeline pipeline = new CrashPipeline(postgres, kafka, elasticsearch, redis, pipelineName, workDir,
                    store, target.resolve("crash-logs").resolve(reportName));
            try (LoadWriter writer = new LoadWriter(pipeline::connect, changes, ID_SPACE, pace, SEED);
                    InvariantMonitor monitor = new InvariantMonitor(pipeline, writer);
                    KafkaEvents records = KafkaEvents.ofTopics(kafka.bootstrapServers(),
                            List.of(pipeline.ordersTopic(), pipeline.progressTopic()), KAFKA_TIMEOUT)) {
                try {
                    writer.seed(SEED_ROWS);
                    monitor.start();
                    Instant began = Instant.now();
                    pipeline.start();
                    // Kills during the initial snapshot have a test of their own.
                    monitor.awaitSnapshotStored(SNAPSHOT_TIMEOUT);
                    writer.start();
                    Run run = new Run(pipeline, writer, monitor, records);
                    fault.inject(run);
                    writer.awaitDone(writerTimeout());
                    pipeline.requireRunning("after the load was written");
                    LoadWriter.Transaction last = writer.last().orElseThrow();
                    monitor.awaitCaughtUp(last, CATCH_UP_TIMEOUT);

                    KafkaAudit.Result kafkaAudit = KafkaAudit.audit(writer.transactions(),
                            records.readToEnd(KAFKA_TIMEOUT), pipeline.ordersTopic(), pipeline.progressTopic(),
                            run.runEnds);
                    InvariantMonitor.Result invariant = monitor.stop();
                    int exitCode = pipeline.stop();
                    CrashReport report = new CrashReport(name, store.yamlName(), SEED, run.kills,
                            writer.writtenChanges(), writer.transactions().size(), writer.reconnects(),
                            Duration.between(began, Instant.now()).toSeconds(), exitCode, kafkaAudit, invariant);
                    Path file = report.write(target, reportName);
                    System.out.println(report.summary() + " -> " + file);

                    pipeline.awaitSinksEqualSource(SINKS_EQUAL_TIMEOUT);
                    assertThat(kafkaAudit.missing()).as("changes missing from Kafka, e.g. %s; transactions with"
                                    + " changes missing: %s; what each run wrote: %s; logs in %s",
                            kafkaAudit.missingExamples(), kafkaAudit.incompleteTransactions(),
                            kafkaAudit.progressPerRun(), pipeline.logDir()).isZero();
                    assertThat(kafkaAudit.unexpected()).as("Kafka records that match no change written, e.g. %s",
                            kafkaAudit.unexpectedExamples()).isZero();
                    assertThat(invariant.violationCount()).as("violations of invariant M, first ones: %s",
                            invariant.violations()).isZero();
                    assertThat(exitCode).as("exit code after SIGTERM; logs in %s", pipeline.logDir())
                            .isEqualTo(SIGTERM_EXIT);
                } finally {
                    pipeline.killIfRunning();
                }
            }
        }

        /** Generous: the writer's own pace, plus time for outages and slow machines. */
        private Duration writerTimeout() {
            long paced = Double.isInfinite(pace) ? 0 : (long) (changes / pace);
            return Duration.ofMinutes(5).plusSeconds(paced);
        }
    }

    /** {@code it-tests/target}, where Maven runs the test from. */
    private static Path targetDirectory() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    }

    /** Waits until the running snapshot stored an offset of its own (Debezium flushes about every second). */
    private static void awaitMidSnapshotOffset(CrashPipeline pipeline) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        try (OffsetStore offsets = pipeline.openOffsetStore()) {
            while (offsets.load(new PipelineId(pipeline.name())).isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the snapshot stored no offset within 30 s");
                }
                Thread.sleep(100);
            }
        }
    }
}
