package io.sluice.it.crash;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one fault-injection run, printed as one line and written as JSON to
 * {@code it-tests/target/crash-report-<name>.json}.
 *
 * @param scenario         what was done to the pipeline
 * @param offsetsStore     the offsets store's kind
 * @param seed             seed of the run's randomness ({@code -Dsluice.crash.seed} repeats the load and kill moments)
 * @param kills            each kill -9 of Sluice, each followed by a restart
 * @param changes          row changes the writer committed, progress updates not counted
 * @param transactions     transactions the writer committed
 * @param writerReconnects times the writer lost PostgreSQL and reconnected
 * @param seconds          duration from the first start of Sluice to the end of the checks
 * @param exitCode         Sluice's exit code after the final SIGTERM (0 expected: a clean stop)
 */
record CrashReport(String scenario, String offsetsStore, long seed, List<Kill> kills, long changes,
        long transactions, int writerReconnects, long seconds, int exitCode, KafkaAudit.Result kafka,
        InvariantMonitor.Result monitor) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where in its life a kill hit Sluice. */
    enum Phase {
        /** Before it logged that it streams: JVM start, connecting the sinks, Debezium starting. */
        START_UP,
        /** Streaming, but this run had not stored an offset of its own yet. */
        STREAMING_BEFORE_OWN_OFFSET,
        /** Streaming, after this run stored offsets: events delivered since the last commit get replayed. */
        STREAMING_AFTER_OWN_OFFSET
    }

    /**
     * One kill -9.
     *
     * @param at             when, as an ISO instant
     * @param writtenChanges how many changes the writer had committed
     * @param lastSample     the monitor's last sample before it: stored offset, the seq it covers, each sink's seq
     */
    record Kill(Phase phase, String at, long writtenChanges, String lastSample) {
    }

    String summary() {
        return String.format(Locale.ROOT, "crash-safety %s (%s offsets, seed %d): %d kills (%d after the run stored"
                        + " offsets), %d changes in %d transactions, %d writer reconnects, %d s; Kafka: %d records,"
                        + " %d missing, %d unexpected, duplicates per run median %.1f max %d (%d in all); monitor:"
                        + " %d samples, %d slot checks, %d sink checks, max slot lag %d bytes, skipped reads %s,"
                        + " %d violations; exit code %d",
                scenario, offsetsStore, seed, kills.size(),
                kills.stream().filter(kill -> kill.phase() == Phase.STREAMING_AFTER_OWN_OFFSET).count(), changes,
                transactions, writerReconnects, seconds, kafka.records(), kafka.missing(), kafka.unexpected(),
                kafka.medianDuplicatesPerRun(), kafka.maxDuplicatesPerRun(), kafka.duplicates(), monitor.samples(),
                monitor.slotChecks(), monitor.sinkChecks(), monitor.maxSlotLagBytes(), monitor.skipped(),
                monitor.violationCount(), exitCode);
    }

    /** Writes {@code crash-report-<name>.json} into {@code directory}; returns the file. */
    Path write(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("crash-report-" + name + ".json");
        Files.write(file, JSON.writeValueAsBytes(this));
        return file;
    }
}
