package io.sluice.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.sink.deadletter.DeadLetterStore;
import io.sluice.sink.deadletter.DeadLetterStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice dead-letters list}: what each pipeline's dead-letter target holds. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Count the pending dead letters of each pipeline: per sink, and per table and error, with the"
                + " oldest and newest.", "Reads only; works while pipelines run."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:printed",
            "2:invalid command line or configuration, no such pipeline or sink, or no dead-letter target",
            "3:a dead-letter target could not be read"})
final class ListDeadLettersCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @Option(names = {"-p", "--pipeline"}, paramLabel = "NAME", description = "Only this pipeline (default: all).")
    String pipeline;

    @Option(names = {"-s", "--sink"}, paramLabel = "NAME",
            description = "Only the letters of this sink, e.g. elasticsearch or kafka#2 (default: all).")
    String sink;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<SluiceConfig> loaded = OffsetsCommand.load(config, err);
        if (loaded.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        Optional<List<PipelineConfig>> selected = DeadLettersCommand.withTarget(loaded.get(), config, pipeline, err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        int exit = Main.EXIT_OK;
        ArrayNode reports = OffsetsReport.mapper().createArrayNode();
        for (PipelineConfig pipelineConfig : selected.get()) {
            Optional<List<String>> sinks = DeadLettersCommand.sinks(pipelineConfig, sink, err);
            if (sinks.isEmpty()) {
                return Main.EXIT_USAGE;
            }
            try (DeadLetterStore store = DeadLetterTargets.store(pipelineConfig, Clock.systemUTC())) {
                DeadLetterSummary summary = new DeadLetterSummary(pipelineConfig.name(), store.describe(),
                        sinks.get());
                store.open();
                store.forEachPending(sinks.get(), summary::add, summary::unreadable);
                if (json) {
                    reports.add(summary.json());
                } else {
                    out.print(summary.text());
                }
            } catch (DeadLetterStoreException e) {
                exit = Main.EXIT_START_FAILED;
                err.println("sluice: pipeline '" + pipelineConfig.name() + "': " + e.getMessage());
            }
        }
        if (json) {
            ObjectNode root = OffsetsReport.mapper().createObjectNode();
            root.set("pipelines", reports);
            out.println(OffsetsReport.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
        }
        out.flush();
        return exit;
    }
}
