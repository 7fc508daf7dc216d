package io.sluice.app;

import io.sluice.app.check.CheckReport;
import io.sluice.app.check.ConfigSecrets;
import io.sluice.app.check.PipelineCheck;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.engine.check.Finding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice check}: loads a configuration as {@code validate} does, then checks every server it names without
 * changing anything, and prints one line per finding (docs/check.md).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check every server a configuration names, without changing anything on them.",
            "Covers the source (logical decoding, the role's rights, tables, publication, slot), every sink"
                + " (reachable, credentials, topics, indices and their mappings, Redis rights) and the offset store;"
                + " prints one line per finding (ok, skip, warn, error) and a summary (docs/check.md)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:no error found (warnings allowed)",
            "1:at least one error found",
            "2:invalid command line or configuration, or no such pipeline"})
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @Option(names = {"-p", "--pipeline"}, paramLabel = "NAME", description = "Only this pipeline (default: all).")
    String pipeline;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<SluiceConfig> loaded = OffsetsCommand.load(config, err);
        if (loaded.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        Optional<List<PipelineConfig>> selected = OffsetsCommand.select(loaded.get(), config, pipeline, err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        quietClients();
        CheckReport report = new CheckReport(selected.get().stream().map(PipelineConfig::name).toList(),
                ConfigSecrets.of(loaded.get()));
        Map<String, List<Finding>> byPipeline = new LinkedHashMap<>();
        List<Finding> all = new ArrayList<>();
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "sluice-check");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (PipelineConfig pipelineConfig : selected.get()) {
                List<Finding> findings = new PipelineCheck(pipelineConfig, executor).run();
                byPipeline.put(pipelineConfig.name(), findings);
                all.addAll(findings);
                if (!json) {
                    if (byPipeline.size() > 1) {
                        out.println();
                    }
                    report.lines(findings).forEach(out::println);
                    out.flush();
                }
            }
        } finally {
            executor.shutdownNow();
        }
        if (json) {
            out.println(report.json(byPipeline));
        } else {
            out.println();
            out.println(CheckReport.summary(all));
        }
        out.flush();
        return CheckReport.hasErrors(all) ? Main.EXIT_CHECK_FAILED : Main.EXIT_OK;
    }

    /**
     * The check reports an unreachable server once, in its own words; the client libraries' warnings while they
     * retry would repeat it many times over. With {@code -Dsluice.log.level} set, they show as usual.
     */
    private static void quietClients() {
        if (System.getProperty("sluice.log.level") != null) {
            return;
        }
        for (String library : List.of("org.apache.kafka", "org.elasticsearch.client", "redis.clients")) {
            if (LoggerFactory.getLogger(library) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(Level.ERROR);
            }
        }
    }
}
