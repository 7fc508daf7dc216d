package io.sluice.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.it.KafkaEvents;
import io.sluice.it.Servers;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM against the packaged Sluice and real servers: during a steady load through Kafka, Elasticsearch and Redis
 * it stops cleanly (exit 0, offsets committed and confirmed to the slot), and a restart loses nothing and repeats
 * nothing; a stop that cannot finish (a sink down) ends at once on a second signal, or when the grace period runs
 * out, and the offsets stay safe either way.
 */
class GracefulShutdownIT {
    private static final long CHANGES = 8_000;
    private static final double PACE = 1_000;
    private static final int ID_SPACE = 3_000;
    private static final int SEED_ROWS = 1_000;
    private static final long SEED = Long.getLong("sluice.crash.seed", System.nanoTime());
    /** The default grace period: a clean stop must end within it, or Sluice would exit with 4. */
    private static final Duration GRACE_PERIOD = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = GRACE_PERIOD.plusSeconds(15);
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SINKS_EQUAL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Kafka records the restart may repeat. A clean stop commits everything the sinks acknowledged, so the restart
     * resumes after the last delivered transaction and repeats nothing; this allows one transaction of the writer
     * (at most 50 changes and its progress update), in case Debezium re-reads the last committed transaction.
     */
    private static final int MAX_REPEATED_AFTER_CLEAN_STOP = 51;

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

    @Test
    void sigtermDuringLoadExitsZeroAndARestartLosesNothingAndRepeatsAlmostNothing() throws Exception {
        CrashPipeline pipeline = new CrashPipeline(postgres, kafka, elasticsearch, redis, "sigterm_load", workDir,
                OffsetsStore.FILE, logDir("sigterm-load"));
        try (LoadWriter writer = new LoadWriter(pipeline::connect, CHANGES, ID_SPACE, PACE, SEED);
                InvariantMonitor monitor = new InvariantMonitor(pipeline, writer);
                KafkaEvents records = KafkaEvents.ofTopics(kafka.bootstrapServers(),
                        List.of(pipeline.ordersTopic(), pipeline.progressTopic()), KAFKA_TIMEOUT)) {
            writer.seed(SEED_ROWS);
            monitor.start();
            pipeline.start();
            monitor.awaitSnapshotStored(SNAPSHOT_TIMEOUT);
            writer.start();
            writer.allowUpTo(CHANGES);
            writer.awaitWritten(CHANGES / 3, Duration.ofMinutes(1));
            pipeline.requireRunning("under load");

            pipeline.signal();
            int exitCode = pipeline.awaitExit(EXIT_TIMEOUT);

            assertThat(exitCode).as("exit code after SIGTERM (4 = grace period over); log:\n%s",
                    pipeline.logTail()).isZero();
            assertThat(pipeline.logText()).as("log of the stopped run")
                    .contains("received SIGTERM: stopping 1 pipeline(s) gracefully")
                    .contains("pipeline 'sigterm_load': stopping")
                    .contains("pipeline 'sigterm_load': stopped")
                    .doesNotContain("ERROR");
            OptionalLong stored;
            try (OffsetStore offsets = pipeline.openOffsetStore()) {
                stored = pipeline.storedOffset(offsets).lsn();
            }
            try (Connection connection = pipeline.connect()) {
                assertThat(pipeline.confirmedFlushLsn(connection))
                        .as("the slot's confirmed position after a clean stop: the stored offset, confirmed on close")
                        .isEqualTo(stored).isPresent();
            }
            // Everything this run wrote to Kafka is below these offsets: what is above them, the restart wrote.
            List<Map<TopicPartition, Long>> runEnds = List.of(records.endOffsets(KAFKA_TIMEOUT));
            long writtenWhileRunning = writer.writtenChanges();

            pipeline.start();
            pipeline.awaitStreaming(STREAMING_TIMEOUT);
            writer.awaitDone(Duration.ofMinutes(2));
            monitor.awaitCaughtUp(writer.last().orElseThrow(), CATCH_UP_TIMEOUT);
            KafkaAudit.Result audit = KafkaAudit.audit(writer.transactions(), records.readToEnd(KAFKA_TIMEOUT),
                    pipeline.ordersTopic(), pipeline.progressTopic(), runEnds);
            InvariantMonitor.Result invariant = monitor.stop();
            assertThat(pipeline.stop()).as("exit code of the second run's SIGTERM").isZero();
            System.out.printf("SIGTERM under load: %d changes written before the stop, %d in all; Kafka records %d,"
                    + " repeated by the restart %s; invariant samples %d%n", writtenWhileRunning,
                    writer.writtenChanges(), audit.records(), audit.duplicatesPerRun(), invariant.samples());

            pipeline.awaitSinksEqualSource(SINKS_EQUAL_TIMEOUT);
            assertThat(audit.missing()).as("changes missing from Kafka, e.g. %s", audit.missingExamples()).isZero();
            assertThat(audit.unexpected()).as("unexpected Kafka records, e.g. %s", audit.unexpectedExamples())
                    .isZero();
            assertThat(invariant.violationCount()).as("violations of invariant M: %s", invariant.violations())
                    .isZero();
            assertThat(audit.duplicatesPerRun()).as("Kafka duplicates per run (first run, restart)").hasSize(2);
            assertThat(audit.duplicatesPerRun().get(1)).as("Kafka records the restart repeated")
                    .isLessThanOrEqualTo(MAX_REPEATED_AFTER_CLEAN_STOP);
        } finally {
            pipeline.killIfRunning();
        }
    }

    @Test
    void secondSigtermDuringAStopStuckOnADownSinkExitsAtOnceAndLosesNothing() throws Exception {
        try (LocalRedis ownRedis = LocalRedis.start(LocalRedis.Options.DEFAULT
                .withPersistence(LocalRedis.Persistence.APPEND_ONLY))) {
            CrashPipeline pipeline = stuckStop(ownRedis, "sigterm_twice", "60s");
            try {
                pipeline.signal();

                int exitCode = pipeline.awaitExit(Duration.ofSeconds(20));

                assertThat(exitCode).as("exit code of the second SIGTERM (0 = clean, 4 = grace period over); log:\n%s",
                        pipeline.logTail()).isEqualTo(143);
                assertThat(pipeline.logText()).contains("received SIGTERM while stopping (after SIGTERM): exiting at"
                        + " once with code 143");

                // Offsets stay safe: what the sink had not acknowledged arrives after a restart.
                ownRedis.restart();
                pipeline.start();
                pipeline.awaitSinksEqualSource(SINKS_EQUAL_TIMEOUT);
                assertThat(pipeline.stop()).as("exit code of the restart's SIGTERM").isZero();
            } finally {
                pipeline.killIfRunning();
            }
        }
    }

    @Test
    void gracePeriodRunningOutDuringAStuckStopExitsWithFourAndSaysWhy() throws Exception {
        try (LocalRedis ownRedis = LocalRedis.start()) {
            CrashPipeline pipeline = stuckStop(ownRedis, "grace_over", "3s");
            try {
                int exitCode = pipeline.awaitExit(Duration.ofSeconds(30));

                assertThat(exitCode).as("exit code when the grace period ran out; log:\n%s", pipeline.logTail())
                        .isEqualTo(4);
                assertThat(pipeline.logText()).contains("the grace period of 3 s ran out before pipeline(s)"
                        + " 'grace_over' (stopping) stopped");
            } finally {
                pipeline.killIfRunning();
            }
        }
    }

    /**
     * A running Sluice whose Redis is down while changes wait for it, to which one SIGTERM was sent: its stop waits
     * for Redis to acknowledge, which it cannot.
     */
    private CrashPipeline stuckStop(LocalRedis ownRedis, String name, String gracePeriod) throws Exception {
        CrashPipeline pipeline = new CrashPipeline(postgres, kafka, elasticsearch, ownRedis, name, workDir,
                OffsetsStore.FILE, logDir(name));
        pipeline.addToConfig("shutdown:\n  grace-period: " + gracePeriod + "\n");
        pipeline.base.sql("INSERT INTO orders SELECT g, 1, 'new', g * 1.25, NULL FROM generate_series(1, 100) g");
        pipeline.start();
        pipeline.awaitStreaming(STREAMING_TIMEOUT);
        pipeline.awaitSinksEqualSource(SINKS_EQUAL_TIMEOUT);
        ownRedis.stop();
        pipeline.base.sql("UPDATE orders SET rev = 2, status = 'paid' WHERE id <= 50",
                "UPDATE progress SET seq = 1 WHERE id = 1");
        pipeline.awaitLogged("sink redis is down", Duration.ofSeconds(30));
        pipeline.signal();
        pipeline.awaitLogged("received SIGTERM: stopping", Duration.ofSeconds(10));
        pipeline.requireRunning("after the first SIGTERM, while Redis is down");
        return pipeline;
    }

    private static Path logDir(String name) {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "shutdown-logs", name);
    }
}
