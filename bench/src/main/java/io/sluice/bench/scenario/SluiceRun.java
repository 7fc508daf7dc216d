package io.sluice.bench.scenario;

import io.sluice.bench.Sink;
import io.sluice.bench.SinkSet;
import io.sluice.bench.env.RunNames;
import io.sluice.bench.env.SluiceChild;
import io.sluice.bench.env.SluiceConfigFile;
import io.sluice.bench.probe.Probes;
import io.sluice.bench.probe.Probes.Arrival;
import io.sluice.bench.probe.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of Sluice against one sink set: a fresh database, the run's own topic, index and keys, a pipelines file,
 * the probes, and the Sluice processes started for it. Closing it kills any Sluice still running and removes what
 * the run left on the servers (replication slots, topic, index).
 */
final class SluiceRun implements AutoCloseable {
    private final RunContext context;
    private final String name;
    private final SinkSet sinks;
    private final RunNames names;
    private final Path config;
    private final Probes probes;
    private final List<SluiceChild> started = new ArrayList<>();

    private SluiceRun(RunContext context, String name, SinkSet sinks, RunNames names, Path config, Probes probes) {
        this.context = context;
        this.name = name;
        this.sinks = sinks;
        this.names = names;
        this.config = config;
        this.probes = probes;
    }

    static SluiceRun prepare(RunContext context, String name, SinkSet sinks) {
        context.database().recreate();
        RunNames names = context.nextNames();
        if (sinks.has(Sink.KAFKA)) {
            context.topics().orElseThrow().create(names.topic(), context.options().kafkaPartitions());
        }
        Probes probes = Probes.open(context.servers(), sinks, names);
        probes.prepareSinks();
        Path config = SluiceConfigFile.write(context.runDir(), name,
                SluiceConfigFile.Endpoints.of(context.servers(), sinks), sinks, names);
        return new SluiceRun(context, name, sinks, names, config, probes);
    }

    RunNames names() {
        return names;
    }

    Probes probes() {
        return probes;
    }

    /** Starts Sluice on the run's pipelines file; {@code suffix} tells apart several starts in one run. */
    SluiceChild start(String suffix) {
        SluiceChild child = SluiceChild.start(context.options().launcher(), config, context.runDir(),
                suffix.isEmpty() ? name : name + "-" + suffix, context.options().sluiceJvmOptions(),
                Map.of(SluiceConfigFile.PASSWORD_VARIABLE, context.database().password()), context.clock());
        started.add(child);
        return child;
    }

    /** Waits until Sluice streams from its slot (it created the slot and finished any snapshot). */
    void awaitStreaming(SluiceChild sluice) throws InterruptedException {
        context.database().awaitStreaming(SluiceConfigFile.SLOT, RunContext.STARTUP_TIMEOUT, sluice);
    }

    /** Polls the sinks (see {@link Probes#await}) at the options' interval until they hold the target. */
    Arrival await(Target target, long[] baseline, SluiceChild sluice, Runnable onFirstProgress)
            throws InterruptedException {
        return probes.await(target, baseline, context.options().pollInterval(), context.options().stallTimeout(),
                sluice, onFirstProgress);
    }

    /** Polls the sinks until they hold the target, from where they are now. */
    Arrival await(Target target, SluiceChild sluice) throws InterruptedException {
        return await(target, probes.progress(), sluice, () -> { });
    }

    /** Whether Sluice stored offsets, so that a restart resumes instead of snapshotting again. */
    boolean hasStoredOffsets() {
        Path offsets = context.runDir().resolve(name + ".offsets");
        try {
            return Files.isRegularFile(offsets) && Files.size(offsets) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (SluiceChild child : started) {
            child.close();
        }
        try {
            probes.cleanUpSinks();
        } finally {
            probes.close();
            if (sinks.has(Sink.KAFKA)) {
                context.topics().orElseThrow().delete(names.topic());
            }
            context.database().dropSlots();
        }
    }
}
