package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.engine.SinkBinding;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.deadletter.DeadLetterStore;
import io.sluice.sink.deadletter.DeadLetterStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice dead-letters replay}: applies a pipeline's dead letters again to the sinks they came from. Sinks are
 * idempotent and versioned, so a replayed letter never overwrites a newer change of its row.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Apply a pipeline's dead letters again to the sinks they came from, once their cause is fixed.",
            "Letters the sink takes are removed (file) or marked done (Kafka: a consumer group per sink); letters it"
                    + " rejects again stay, with their new reason. A replayed letter never overwrites a newer"
                    + " change of its row: sinks keep the highest version.",
            "A file target is locked by its running pipeline: stop the pipeline first."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every pending letter was applied (or none was pending)",
            "1:some letters were rejected again; they stay in the target",
            "2:invalid command line or configuration, no such pipeline or sink, or no dead-letter target",
            "3:stopped or refused (the target is in use or unreachable, a sink is down); letters not applied stay"})
final class ReplayDeadLettersCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @Option(names = {"-p", "--pipeline"}, required = true, paramLabel = "NAME",
            description = "The pipeline whose dead letters to replay.")
    String pipeline;

    @Option(names = {"-s", "--sink"}, paramLabel = "NAME",
            description = "Only the letters of this sink, e.g. elasticsearch or kafka#2 (default: every sink).")
    String sink;

    @Option(names = "--give-up-after", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long a sink may keep failing transiently before the replay stops (default: 60).")
    long giveUpAfterSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (giveUpAfterSeconds < 1) {
            err.println("sluice: --give-up-after must be at least 1 second");
            return Main.EXIT_USAGE;
        }
        Optional<SluiceConfig> loaded = OffsetsCommand.load(config, err);
        if (loaded.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        Optional<List<PipelineConfig>> selected = DeadLettersCommand.withTarget(loaded.get(), config, pipeline, err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        PipelineConfig pipelineConfig = selected.get().get(0);
        Optional<List<String>> sinks = DeadLettersCommand.sinks(pipelineConfig, sink, err);
        if (sinks.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        List<SinkBinding> bindings = SinkFactory.create(pipelineConfig);
        long rejectedAgain = 0;
        try (DeadLetterStore store = DeadLetterTargets.store(pipelineConfig, Clock.systemUTC())) {
            store.open();
            out.println("Pipeline '" + pipeline + "', " + store.describe() + ":");
            out.flush();
            for (SinkBinding binding : bindings) {
                if (!sinks.get().contains(binding.name())) {
                    continue;
                }
                try (DeadLetterReplayer replayer = new DeadLetterReplayer(pipeline, binding, store.describe(),
                        Duration.ofSeconds(giveUpAfterSeconds), RandomGenerator.getDefault())) {
                    try {
                        store.replay(binding.name(), binding.batchSize(), replayer);
                    } finally {
                        out.println(report(binding.name(), replayer));
                        out.flush();
                    }
                    rejectedAgain += replayer.rejectedCount();
                }
            }
        } catch (DeadLetterStoreException | SinkException e) {
            err.println("sluice: pipeline '" + pipeline + "': replay stopped: " + e.getMessage()
                    + ". Letters not applied stay in the dead-letter target; run the replay again when the cause is"
                    + " fixed");
            return Main.EXIT_START_FAILED;
        } finally {
            bindings.forEach(binding -> binding.sink().close());
        }
        return rejectedAgain == 0 ? Main.EXIT_OK : Main.EXIT_PIPELINE_FAILED;
    }

    private static String report(String sink, DeadLetterReplayer replayer) {
        long rejected = replayer.rejectedCount();
        if (replayer.applied() + rejected == 0) {
            return "  sink " + sink + ": nothing pending";
        }
        StringBuilder text = new StringBuilder("  sink " + sink + ": " + replayer.applied() + " applied, " + rejected
                + " rejected again (kept, with the new reason)");
        replayer.rejectedByReason().forEach((reason, count) -> text.append("\n    ").append(count).append(" of ")
                .append(reason));
        return text.toString();
    }
}
