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
 * @param scenario            what was done to the pipeline
 * @param offsetsStore        the offsets store's kind
 * @param seed                seed of the run's randomness ({@code -Dsluice.crash.seed} repeats the load and delays)
 * @param kills               each kill -9 of Sluice (each followed by a restart): the phase it hit (start-up,
 *                            streaming before or after the run stored an offset) and the monitor's last sample
 * @param changes             row changes the writer committed, progress updates not counted
 * @param transactions        transactions the writer committed
 * @param writerReconnects    times the writer lost PostgreSQL and reconnected
 * @param seconds             duration from the first start of Sluice to the end of the checks
 * @param exitCode            Sluice's exit code after the final SIGTERM (143 expected)
 */
record CrashReport(String scenario, String offsetsStore, long seed, List<String> kills, long changes, long transactions, int writerReconnects, long seconds, int exitCode, KafkaAudit.Result kafka, InvariantMonitor.Result monitor) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    String summary() {
        return String.format(Locale.ROOT, "crash-safety %s (%s offsets, seed %d): %d kills (%d after the run stored"
                        + " offsets),"
                        + " %d changes in %d transactions, %d writer reconnects, %d s; Kafka: %d records, %d missing,"
                        + " %d unexpected, duplicates per run median %.1f max %d (%d in all); monitor: %d samples,"
                        + " %d slot checks, %d sink checks, max slot lag %d bytes, skipped reads %s, %d violations;"
                        + " exit code %d",
                scenario, offsetsStore, seed, kills.size(),
                kills.stream().filter(kill -> kill.contains("after this run stored")).count(), changes, transactions, writerReconnects,
                seconds, kafka.records(), kafka.missing(), kafka.unexpected(), kafka.medianDuplicatesPerRun(),
                kafka.maxDuplicatesPerRun(), kafka.duplicates(), monitor.samples(), monitor.slotChecks(),
                monitor.sinkChecks(), monitor.maxSlotLagBytes(), monitor.skipped(), monitor.violationCount(),
                exitCode);
    }

    /** Writes {@code crash-report-<name>.json} into {@code directory}; returns the file. */
    Path write(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("crash-report-" + name + ".json");
        Files.write(file, JSON.writeValueAsBytes(this));
        return file;
    }
}
