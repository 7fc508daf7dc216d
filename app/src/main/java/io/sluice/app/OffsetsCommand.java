package io.sluice.app;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice offsets}: inspect and reset the stored positions of stopped pipelines. */
@Command(name = "offsets", mixinStandardHelpOptions = true,
        description = "Inspect or reset where pipelines resume (their stored offsets and replication slots).",
        subcommands = {ShowOffsetsCommand.class, ResetOffsetsCommand.class})
final class OffsetsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Loads the file, printing the problems and returning empty when it is invalid. */
    static Optional<SluiceConfig> load(Path config, PrintWriter err) {
        try {
            return Optional.of(new ConfigLoader().load(config));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The named pipeline, or all when {@code name} is {@code null}; empty after printing why when no pipeline of
     * that name exists.
     */
    static Optional<List<PipelineConfig>> select(SluiceConfig config, Path file, String name, PrintWriter err) {
        if (name == null) {
            return Optional.of(config.pipelines());
        }
        List<PipelineConfig> named = config.pipelines().stream().filter(p -> p.name().equals(name)).toList();
        if (named.isEmpty()) {
            err.println("sluice: " + file + " has no pipeline '" + name + "'; its pipelines: "
                    + config.pipelines().stream().map(p -> "'" + p.name() + "'").collect(Collectors.joining(", ")));
            return Optional.empty();
        }
        return Optional.of(named);
    }
}
