package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.Pipeline;
import io.sluice.engine.debezium.SlotMonitor;
import io.sluice.engine.debezium.SlotMonitor.SlotStatus;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What keeps the source's WAL from growing without bound, against real servers: heartbeats that let the slot
 * advance while only tables outside the publication are written, and the retained-WAL warning.
 */
class WalSafetyIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Writes about 4 MB of WAL to a table outside the publication. */
    private static final String OTHER_TABLE_LOAD =
            "INSERT INTO other (payload) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 10000) g";
    private static final String LOGICAL_MESSAGE_HEARTBEAT = """
            heartbeat:
              interval: 500ms
              query: "SELECT pg_logical_emit_message(false, 'sluice-heartbeat', '')"
            """;

    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * With pgoutput, transactions that touch no published table send nothing to the slot's reader (PostgreSQL 15
     * skips them entirely), so Debezium's plain heartbeat has no newer position to confirm. A heartbeat query that
     * emits a logical decoding message gives it one, without a table and without a row reaching the sinks.
     */
    @Test
    void heartbeatQueryLetsTheSlotAdvancePastWritesToTablesOutsideThePublication() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "hb_query", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "CREATE TABLE other (id serial PRIMARY KEY, payload text)",
                "INSERT INTO orders VALUES (1, 'new')");

        try (Pipeline pipeline = f.start(f.config("public.orders", LOGICAL_MESSAGE_HEARTBEAT));
                KafkaEvents events = f.events()) {
            events.awaitCount(1, WAIT);
            awaitSlot(f, s -> s.active, "the slot in use");
            f.sql(OTHER_TABLE_LOAD);
            long written = currentWalLsn(f);

            Slot slot = awaitSlot(f, s -> s.confirmedFlush >= written, "the slot to confirm the load's WAL");

            assertThat(slot.confirmedFlush).isGreaterThanOrEqualTo(written);
            assertThat(events.drain(Duration.ofSeconds(1))).as("heartbeats reach no sink").hasSize(1);
        }
    }

    /**
     * The truth this documents (docs/resnapshot-and-wal.md): without a heartbeat query the slot stays where the last
     * captured change left it while only other tables are written, however many heartbeats pass. A captured change
     * afterwards proves the pipeline was alive all along.
     */
    @Test
    void withoutHeartbeatQueryWritesOutsideThePublicationLeaveTheSlotWhereItWas() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "hb_plain", workDir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "CREATE TABLE other (id serial PRIMARY KEY, payload text)",
                "INSERT INTO orders VALUES (1, 'new')");

        try (Pipeline pipeline = f.start(f.config("public.orders", "heartbeat: {interval: 500ms}"));
                KafkaEvents events = f.events()) {
            events.awaitCount(1, WAIT);
            Slot before = awaitSlot(f, s -> s.active, "the slot in use");
            f.sql(OTHER_TABLE_LOAD);
            long written = currentWalLsn(f);
            // Twenty heartbeat intervals.
            Thread.sleep(10_000);
            Slot quiet = slot(f);

            assertThat(quiet.confirmedFlush).isEqualTo(before.confirmedFlush).isLessThan(written);

            f.sql("INSERT INTO orders VALUES (2, 'new')");
            events.awaitCount(2, WAIT);
            awaitSlot(f, s -> s.confirmedFlush >= written, "a captured change to move the slot");
        }
    }

    /**
     * A slot nobody reads (a stopped pipeline) while the database writes: the monitor warns once it retains more than
     * wal-lag-warning, keeps the figures, and says so when the slot is back below.
     */
    @Test
    void slotMonitorWarnsWhileTheSlotRetainsMoreThanTheThresholdAndWhenItRecovers() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "lagging", workDir);
        f.sql("CREATE TABLE other (id serial PRIMARY KEY, payload text)",
                "SELECT pg_create_logical_replication_slot('lagging_slot', 'pgoutput')");
        PostgresSourceConfig source = f.config("public.other", "wal-lag-warning: 1MB").source().postgres();

        Logger logger = (Logger) LoggerFactory.getLogger(SlotMonitor.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (SlotMonitor monitor = new SlotMonitor("lagging", source, Duration.ofMillis(200), Clock.systemUTC())) {
            monitor.start();
            awaitStatus(monitor, s -> !s.aboveThreshold(), "a first check below the threshold");
            assertThat(lines(log, Level.WARN)).isEmpty();

            f.sql(OTHER_TABLE_LOAD);
            SlotStatus lagging = awaitStatus(monitor, SlotStatus::aboveThreshold, "the slot above 1MB");

            assertThat(lagging.active()).isFalse();
            assertThat(lagging.retainedBytes()).isGreaterThan(1 << 20);
            assertThat(lagging.confirmedLagBytes()).isGreaterThan(1 << 20);
            assertThat(lines(log, Level.WARN)).singleElement().asString()
                    .contains("pipeline 'lagging'", "replication slot 'lagging_slot'", postgres.port() + "/lagging",
                            "MB of WAL, more than wal-lag-warning 1.0 MB", "not in use",
                            "pg_drop_replication_slot('lagging_slot')", "max_slot_wal_keep_size");

            // What a pipeline that catches up does: confirm everything; a checkpoint lets restart_lsn follow.
            f.sql("CHECKPOINT", "SELECT pg_replication_slot_advance('lagging_slot', pg_current_wal_lsn())");
            awaitStatus(monitor, s -> !s.aboveThreshold(), "the slot back below 1MB");
            awaitTrue(() -> !lines(log, Level.INFO).isEmpty(), "the recovery line");

            assertThat(lines(log, Level.INFO)).singleElement().asString().contains("below wal-lag-warning 1.0 MB");
            assertThat(lines(log, Level.WARN)).hasSize(1);
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void slotMonitorKeepsGoingWhenTheSlotIsMissing() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "no_slot", workDir);
        PostgresSourceConfig source = f.config("public.other", "").source().postgres();
        try (SlotMonitor monitor = new SlotMonitor("no_slot", source, Duration.ofMillis(100), Clock.systemUTC())) {
            monitor.start();
            Thread.sleep(500);
            assertThat(monitor.latest()).isEmpty();

            f.sql("SELECT pg_create_logical_replication_slot('no_slot_slot', 'pgoutput')");
            awaitStatus(monitor, s -> true, "figures once the slot exists");
        }
    }

    private record Slot(boolean active, long confirmedFlush) {
    }

    private static Slot slot(SluiceFixture f) throws Exception {
        try (Connection c = postgres.connect(f.name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT active, confirmed_flush_lsn - '0/0'::pg_lsn"
                        + " FROM pg_replication_slots WHERE slot_name = '" + f.name + "_slot'")) {
            return rs.next() ? new Slot(rs.getBoolean(1), rs.getLong(2)) : new Slot(false, -1);
        }
    }

    private static long currentWalLsn(SluiceFixture f) throws Exception {
        try (Connection c = postgres.connect(f.name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Slot awaitSlot(SluiceFixture f, Predicate<Slot> check, String what) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            Slot slot = slot(f);
            if (check.test(slot)) {
                return slot;
            }
            assertThat(Instant.now()).as("waiting for " + what + "; slot now " + slot).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    private static SlotStatus awaitStatus(SlotMonitor monitor, Predicate<SlotStatus> check, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            SlotStatus status = monitor.latest().orElse(null);
            if (status != null && check.test(status)) {
                return status;
            }
            assertThat(Instant.now()).as("waiting for " + what + "; last figures " + status).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier check, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!check.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> log, Level level) {
        synchronized (log.list) {
            return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }
}
