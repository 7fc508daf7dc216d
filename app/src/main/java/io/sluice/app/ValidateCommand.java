package io.sluice.app;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice validate}: loads a configuration file and reports every problem, without connecting anywhere. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a configuration file and report every problem in it, without connecting to any server.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig loaded;
        try {
            loaded = new ConfigLoader().load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        spec.commandLine().getOut().println(config + ": valid, " + loaded.pipelines().size()
                + (loaded.pipelines().size() == 1 ? " pipeline: " : " pipelines: ")
                + loaded.pipelines().stream().map(PipelineConfig::name).collect(Collectors.joining(", ")));
        return Main.EXIT_OK;
    }
}
