package io.sluice.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.app.admin.AdminServer;
import io.sluice.app.admin.AdminServerException;
import io.sluice.app.admin.ProcessMetrics;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.engine.Pipeline;
import io.sluice.engine.PipelineException;
import io.sluice.engine.PipelineStatus;
import io.sluice.engine.RetryPolicy;
import io.sluice.engine.debezium.UnusableSlotException;
import io.sluice.engine.metrics.PipelineMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sluice} command line and the composition root: everything is wired here, through constructors. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Change data capture from PostgreSQL to Kafka, Elasticsearch and Redis.",
        subcommands = {Main.Run.class, ValidateCommand.class, CheckCommand.class, OffsetsCommand.class,
                DeadLettersCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every pipeline stopped by itself (e.g. an initial-only snapshot finished)",
            "1:a pipeline failed while running; check: a server is not ready for a pipeline",
            "2:invalid command line or configuration",
            "3:a pipeline could not start (source or sink unreachable or unusable, replication slot missing or"
                    + " invalidated), the admin endpoint could not listen (port taken), or an offsets command"
                    + " refused (pipeline running, source unreachable)",
            "143:stopped by SIGTERM (130: Ctrl-C), after delivering what was read and committing offsets"})
public final class Main implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_PIPELINE_FAILED = 1;
    /** {@code check} found at least one error. */
    static final int EXIT_CHECK_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_START_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // A user never sees a stack trace: the message says what is wrong; details go to the debug log.
            commandLine.getErr().println("sluice: " + e.getMessage());
            LoggerFactory.getLogger(Main.class).debug("command failed", e);
            return EXIT_PIPELINE_FAILED;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", description = "Run the pipelines of a configuration file until stopped.",
            mixinStandardHelpOptions = true)
    static final class Run implements java.util.concurrent.Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger(Run.class);

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "Pipelines YAML file.")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            SluiceConfig loaded;
            try {
                loaded = new ConfigLoader().load(config);
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return EXIT_USAGE;
            }
            List<Pipeline> pipelines = new ArrayList<>();
            PrometheusMeterRegistry registry = ProcessMetrics.registry();
            AdminServer admin;
            try {
                admin = AdminServer.start(loaded.admin(), registry::scrape, () -> statuses(loaded, pipelines));
            } catch (AdminServerException e) {
                err.println("sluice: " + e.getMessage());
                return EXIT_START_FAILED;
            }
            Thread shutdown = new Thread(() -> stopAll(pipelines), "sluice-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            try {
                for (PipelineConfig pipelineConfig : loaded.pipelines()) {
                    Pipeline pipeline = new Pipeline(pipelineConfig, SinkFactory.create(pipelineConfig),
                            DeadLetterTargets.queue(pipelineConfig, Clock.systemUTC()), RetryPolicy.DEFAULT,
                            RandomGenerator.getDefault(), new PipelineMetrics(pipelineConfig.name(), registry));
                    synchronized (pipelines) {
                        pipelines.add(pipeline);
                    }
                    pipeline.start();
                }
            } catch (UnusableSlotException e) {
                err.println("sluice: " + e.messageFor(config.toString()));
                stopAll(pipelines);
                admin.close();
                return EXIT_START_FAILED;
            } catch (PipelineException e) {
                err.println("sluice: " + e.getMessage());
                stopAll(pipelines);
                admin.close();
                return EXIT_START_FAILED;
            }
            int exit = awaitAll(pipelines, err);
            admin.close();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdown);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running: it stops the pipelines itself.
            }
            return exit;
        }

        /** Every configured pipeline's status; one not made yet counts as not started. */
        private static List<PipelineStatus> statuses(SluiceConfig loaded, List<Pipeline> pipelines) {
            List<Pipeline> made;
            synchronized (pipelines) {
                made = List.copyOf(pipelines);
            }
            return loaded.pipelines().stream().map(config -> made.stream()
                    .filter(p -> p.name().equals(config.name())).findFirst().map(Pipeline::status)
                    .orElseGet(() -> PipelineStatus.notCreated(config.name()))).toList();
        }

        /** Waits until every pipeline stopped; the first failure stops the others. */
        private static int awaitAll(List<Pipeline> pipelines, PrintWriter err) throws InterruptedException {
            CompletableFuture<?>[] terminations = pipelines.stream().map(Pipeline::termination)
                    .toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.anyOf(terminations).get();
                CompletableFuture.allOf(terminations).get();
                return EXIT_OK;
            } catch (ExecutionException e) {
                err.println("sluice: " + e.getCause().getMessage());
                err.flush();
                stopAll(pipelines);
                return EXIT_PIPELINE_FAILED;
            }
        }

        private static void stopAll(List<Pipeline> pipelines) {
            List<Pipeline> running;
            synchronized (pipelines) {
                running = List.copyOf(pipelines);
            }
            for (Pipeline pipeline : running) {
                pipeline.close();
            }
            for (Pipeline pipeline : running) {
                pipeline.termination().exceptionally(e -> null).join();
            }
            LOG.debug("all pipelines stopped");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties props = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/sluice-version.properties")) {
                if (in != null) {
                    props.load(in);
                }
            }
            return new String[] {"sluice " + props.getProperty("version", "unknown")};
        }
    }
}
