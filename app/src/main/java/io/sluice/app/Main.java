package io.sluice.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.app.admin.AdminServer;
import io.sluice.app.admin.AdminServerException;
import io.sluice.app.admin.ProcessMetrics;
import io.sluice.app.logging.LogFormat;
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
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
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
            "0:stopped cleanly: by SIGTERM or Ctrl-C after the sinks acknowledged what was read and the offsets were"
                    + " committed, or every pipeline ended by itself (e.g. an initial-only snapshot finished)",
            "1:a pipeline failed while running; check: a server is not ready for a pipeline",
            "2:invalid command line or configuration",
            "3:a pipeline could not start (source or sink unreachable or unusable, replication slot missing or"
                    + " invalidated), the admin endpoint could not listen (port taken), or an offsets command"
                    + " refused (pipeline running, source unreachable)",
            "4:the shutdown grace period ran out before the sinks acknowledged what was read (offsets stay safe)",
            "143:a second SIGTERM during the stop (130: a second Ctrl-C) exited at once (offsets stay safe)"})
public final class Main implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_PIPELINE_FAILED = 1;
    /** {@code check} found at least one error. */
    static final int EXIT_CHECK_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_START_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--log-format", paramLabel = "FORMAT", scope = CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:" + LogFormat.ENVIRONMENT + ":-text}", converter = LogFormatConverter.class,
            description = "Log lines as text (default) or json, one object per line; default from the environment"
                    + " variable " + LogFormat.ENVIRONMENT + ".")
    void logFormat(LogFormat format) {
        format.install();
        logFormat = format;
    }

    private LogFormat logFormat = LogFormat.TEXT;

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

        @CommandLine.ParentCommand
        Main main;

        @Override
        public Integer call() throws InterruptedException {
            Consumer<String> err = message -> report("sluice: ", message);
            SluiceConfig loaded;
            try {
                loaded = new ConfigLoader().load(config);
            } catch (ConfigException e) {
                // The problems name the file themselves, line by line.
                report("", e.getMessage());
                return EXIT_USAGE;
            }
            PrometheusMeterRegistry registry = ProcessMetrics.registry();
            GracefulShutdown shutdown = new GracefulShutdown(loaded.shutdown().gracePeriod(),
                    Runtime.getRuntime()::halt);
            AdminServer admin;
            try {
                admin = AdminServer.start(loaded.admin(), registry::scrape,
                        () -> statuses(loaded, shutdown.pipelines()));
            } catch (AdminServerException e) {
                err.accept(e.getMessage());
                return EXIT_START_FAILED;
            }
            shutdown.install();
            try {
                for (PipelineConfig pipelineConfig : loaded.pipelines()) {
                    Pipeline pipeline = new Pipeline(pipelineConfig, SinkFactory.create(pipelineConfig),
                            DeadLetterTargets.queue(pipelineConfig, Clock.systemUTC()), RetryPolicy.DEFAULT,
                            RandomGenerator.getDefault(), new PipelineMetrics(pipelineConfig.name(), registry));
                    if (!shutdown.register(pipeline)) {
                        break;
                    }
                    pipeline.start();
                }
            } catch (UnusableSlotException e) {
                err.accept(e.messageFor(config.toString()));
                stopAll(shutdown);
                admin.close();
                return EXIT_START_FAILED;
            } catch (PipelineException e) {
                err.accept(e.getMessage());
                stopAll(shutdown);
                admin.close();
                return EXIT_START_FAILED;
            }
            int exit = awaitAll(shutdown, err);
            admin.close();
            return exit;
        }

        /** Every configured pipeline's status; one not made yet counts as not started. */
        private static List<PipelineStatus> statuses(SluiceConfig loaded, List<Pipeline> made) {
            return loaded.pipelines().stream().map(config -> made.stream()
                    .filter(p -> p.name().equals(config.name())).findFirst().map(Pipeline::status)
                    .orElseGet(() -> PipelineStatus.notCreated(config.name()))).toList();
        }

        /** Waits until every pipeline stopped; the first failure stops the others. */
        private static int awaitAll(GracefulShutdown shutdown, Consumer<String> err) throws InterruptedException {
            CompletableFuture<?>[] terminations = shutdown.pipelines().stream().map(Pipeline::termination)
                    .toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.anyOf(terminations).get();
                CompletableFuture.allOf(terminations).get();
                return EXIT_OK;
            } catch (ExecutionException e) {
                err.accept(e.getCause().getMessage());
                stopAll(shutdown);
                return EXIT_PIPELINE_FAILED;
            }
        }

        /**
         * Tells the user why the run ends: on stderr, or as an ERROR line when the logs are JSON, so that everything
         * Sluice writes is then one JSON object per line.
         *
         * @param prefix what goes before the message on stderr
         */
        private void report(String prefix, String message) {
            if (main != null && main.logFormat == LogFormat.JSON) {
                LOG.error(message);
            } else {
                PrintWriter err = spec.commandLine().getErr();
                err.println(prefix + message);
                err.flush();
            }
        }

        /** Stops the other pipelines gracefully, waiting for them no longer than the grace period. */
        private static void stopAll(GracefulShutdown shutdown) {
            shutdown.stopAll();
            if (shutdown.awaitStopped()) {
                LOG.debug("all pipelines stopped");
            } else {
                LOG.warn("some pipelines had not stopped within the grace period; exiting without them");
            }
        }
    }

    /** {@code text} or {@code json}, in any case. */
    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
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
