package io.sluice.bench.scenario;

import io.sluice.bench.BenchOptions;
import io.sluice.bench.env.BenchDatabase;
import io.sluice.bench.env.CpuClock;
import io.sluice.bench.env.KafkaTopics;
import io.sluice.bench.env.RunNames;
import io.sluice.bench.env.Servers;
import io.sluice.bench.load.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What every run of one invocation shares: options, servers, the database, and a counter that names runs. */
public final class RunContext {
    /** How long Sluice may take to start streaming (JVM start, slot creation, an empty snapshot). */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private final BenchOptions options;
    private final Servers servers;
    private final BenchDatabase database;
    private final KafkaTopics topics;
    private final CpuClock clock;
    private final Path runDir;
    private final Workload workload;
    private int runs;

    /** @param topics {@code null} when no sink set has Kafka */
    public RunContext(BenchOptions options, Servers servers, BenchDatabase database, KafkaTopics topics,
            CpuClock clock, Path runDir) {
        this.options = options;
        this.servers = servers;
        this.database = database;
        this.topics = topics;
        this.clock = clock;
        this.runDir = runDir;
        this.workload = new Workload(options.transactionRows());
    }

    public BenchOptions options() {
        return options;
    }

    public Servers servers() {
        return servers;
    }

    public BenchDatabase database() {
        return database;
    }

    Optional<KafkaTopics> topics() {
        return Optional.ofNullable(topics);
    }

    CpuClock clock() {
        return clock;
    }

    Path runDir() {
        return runDir;
    }

    Workload workload() {
        return workload;
    }

    /** Names for the next run, unique within the invocation. */
    RunNames nextNames() {
        return RunNames.of(++runs);
    }

    /** How long a ceiling reader may take in all: generous, it only guards against a hang. */
    Duration readerTimeout() {
        return options.stallTimeout().multipliedBy(5);
    }
}
