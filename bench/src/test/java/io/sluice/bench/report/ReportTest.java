package io.sluice.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void throughputIsShownAsMedianWithRangeAndAsAShareOfTheWalDrainCeiling() {
        Results results = new Results();
        for (int repeat = 1; repeat <= 3; repeat++) {
            results.add(new CeilingRun(CeilingRun.DRAIN_RECVLOGICAL, repeat, 400_000, 2, 190_000 + repeat * 10_000,
                    null));
            results.add(throughput("backlog", repeat, 40_000 + repeat * 1_000));
        }

        String report = Report.render(List.of("heading"), results);

        assertThat(report).startsWith("heading\n");
        assertThat(report).contains("wal-drain pg_recvlogical").contains("210,000 (200,000-220,000)");
        assertThat(report).containsPattern("backlog +kafka +42,000 \\(41,000-43,000\\) +20\\.0%");
    }

    @Test
    void snapshotIsComparedWithCopy() {
        Results results = new Results();
        results.add(new CeilingRun(CeilingRun.DRAIN_RECVLOGICAL, 1, 400_000, 2, 200_000, null));
        results.add(new CeilingRun(CeilingRun.COPY, 1, 200_000, 0.2, 1_000_000, null));
        results.add(throughput("snapshot", 1, 70_000));

        assertThat(Report.render(List.of(), results)).containsPattern("snapshot +kafka +70,000 +7\\.0%");
    }

    @Test
    void failedRunsAreLeftOutOfTheFiguresAndListed() {
        Results results = new Results();
        results.add(throughput("streaming", 1, 50_000));
        results.add(ThroughputRun.failed("streaming", "kafka", 2, "Sluice exited with code 1"));

        String report = Report.render(List.of(), results);

        assertThat(report).containsPattern("streaming +kafka +50,000 .* 1/2");
        assertThat(report).contains("streaming kafka #2: Sluice exited with code 1");
    }

    @Test
    void notesOfValidRunsAreListedAndTheRunCounts() {
        Results results = new Results();
        ThroughputRun replayed = throughput("backlog", 1, 40_000);
        results.add(new ThroughputRun(replayed.mode(), replayed.sinks(), 1, replayed.events(), replayed.seconds(),
                replayed.perSecond(), replayed.startupSeconds(), Double.NaN, Double.NaN, replayed.cost(), null,
                "Kafka topic r2.public.orders holds 1 records more than the 400001 events written"));

        String report = Report.render(List.of(), results);

        assertThat(report).containsPattern("backlog +kafka +40,000 .* 1/1");
        assertThat(report).contains("Notes:\n  backlog kafka #1: Kafka topic r2.public.orders holds 1 records more");
    }

    private static ThroughputRun throughput(String mode, int repeat, double perSecond) {
        return new ThroughputRun(mode, "kafka", repeat, 400_001, 400_001 / perSecond, perSecond, 3.1, Double.NaN,
                Double.NaN, new Cost(300L << 20, 100L << 20, 25.0), null, null);
    }
}
