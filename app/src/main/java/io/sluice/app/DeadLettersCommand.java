package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice dead-letters}: list and replay the events that sinks rejected for good. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "List the events sinks rejected for good (on-failure: dead-letter), or replay them once the"
                + " cause is fixed.",
        subcommands = {ListDeadLettersCommand.class, ReplayDeadLettersCommand.class})
final class DeadLettersCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The selected pipelines that have a dead-letter target (the named one, or all); empty after printing why when
     * there is none.
     */
    static Optional<List<PipelineConfig>> withTarget(SluiceConfig config, Path file, String name, PrintWriter err) {
        Optional<List<PipelineConfig>> selected = OffsetsCommand.select(config, file, name, err);
        if (selected.isEmpty()) {
            return selected;
        }
        List<PipelineConfig> withTarget = selected.get().stream().filter(p -> p.deadLetter() != null).toList();
        if (withTarget.isEmpty()) {
            err.println("sluice: " + (name == null ? "no pipeline of " + file + " has"
                    : "pipeline '" + name + "' has no") + " dead-letter target (dead-letter: in the pipeline or in"
                    + " defaults:), so there are no dead letters to read");
            return Optional.empty();
        }
        return Optional.of(withTarget);
    }

    /**
     * The pipeline's sinks by name (the one named by {@code sink}, or all); empty after printing why when it has
     * no sink of that name.
     */
    static Optional<List<String>> sinks(PipelineConfig pipeline, String sink, PrintWriter err) {
        List<String> names = SinkFactory.names(pipeline);
        if (sink == null) {
            return Optional.of(names);
        }
        if (!names.contains(sink)) {
            err.println("sluice: pipeline '" + pipeline.name() + "' has no sink '" + sink + "'; its sinks: "
                    + names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", ")));
            return Optional.empty();
        }
        return Optional.of(List.of(sink));
    }
}
