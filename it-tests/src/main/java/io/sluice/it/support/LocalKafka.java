package io.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) listening on 127.0.0.1 at free ports,
 * with its log directory in a fresh temporary directory.
 *
 * <p>The broker runs in a child JVM on this JVM's classpath, so it is the same Kafka version as the clients and
 * cannot disturb this JVM (Kafka's tools call {@code System.exit}, and its logging and metrics are global). The
 * broker's output goes to {@code kafka.log} in the temporary directory.
 */
public final class LocalKafka implements LocalServer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int LOG_TAIL_LINES = 40;
    /** Heap and JIT settings for a small broker on a two-core machine; startup time matters more than peak speed. */
    private static final List<String> BROKER_JVM_OPTIONS = List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private final ProcessLauncher launcher;
    private final Path workDir;
    private final Path configFile;
    private final Path logFile;
    private final int port;
    private ServerProcess process;
    private ShutdownCleanup shutdownCleanup;
    private boolean closed;

    private LocalKafka(ProcessLauncher launcher, Path workDir, int port) {
        this.launcher = launcher;
        this.workDir = workDir;
        this.configFile = workDir.resolve("server.properties");
        this.logFile = workDir.resolve("kafka.log");
        this.port = port;
    }

    /** Starts a broker whose automatically created topics get one partition. */
    public static LocalKafka start() {
        return start(1);
    }

    /** Starts a broker whose automatically created topics get {@code defaultPartitions} partitions. */
    public static LocalKafka start(int defaultPartitions) {
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("defaultPartitions must be at least 1, was " + defaultPartitions);
        }
        Instant begin = Instant.now();
        int[] ports = FreePorts.pick(2);
        LocalKafka server = new LocalKafka(ProcessLauncher.asCurrentUser(), WorkDirectory.create("sluice-kafka-"),
                ports[0]);
        server.shutdownCleanup = ShutdownCleanup.register(server.name(), server::discard);
        try {
            server.writeConfiguration(ports[1], defaultPartitions);
            server.formatStorage();
            server.launch();
        } catch (RuntimeException e) {
            server.abandon();
            throw e;
        }
        LOG.info("Kafka broker ready on {} in {} ms", server.bootstrapServers(),
                Duration.between(begin, Instant.now()).toMillis());
        return server;
    }

    @Override
    public String name() {
        return "kafka-" + port;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    /** The value for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Creates a topic with replication factor 1 and waits until the controller has created it. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new LocalServerException("could not create topic " + topic + " on " + name(), e.getCause());
        } catch (TimeoutException e) {
            throw new LocalServerException("creating topic " + topic + " on " + name() + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while creating topic " + topic, e);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Shuts the broker down in a controlled way (SIGTERM), or kills it if that takes too long. */
    @Override
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        if (!process.stop(SHUTDOWN_TIMEOUT)) {
            LOG.warn("{} did not shut down within {} s and was killed", name(), SHUTDOWN_TIMEOUT.toSeconds());
        }
    }

    @Override
    public synchronized void kill() {
        if (process != null) {
            process.killTree(SHUTDOWN_TIMEOUT);
        }
    }

    @Override
    public synchronized void restart() {
        requireOpen();
        Instant begin = Instant.now();
        stop();
        launch();
        LOG.info("{} restarted in {} ms", name(), Duration.between(begin, Instant.now()).toMillis());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            abandon();
        }
    }

    private void writeConfiguration(int controllerPort, int defaultPartitions) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", NODE_ID);
        settings.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        settings.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("log.dirs", workDir.resolve("data"));
        settings.put("num.partitions", defaultPartitions);
        settings.put("auto.create.topics.enable", true);
        settings.put("offsets.topic.replication.factor", 1);
        // One partition instead of 50 makes the first consumer group's coordinator ready much sooner.
        settings.put("offsets.topic.num.partitions", 1);
        settings.put("transaction.state.log.replication.factor", 1);
        settings.put("transaction.state.log.min.isr", 1);
        settings.put("transaction.state.log.num.partitions", 1);
        settings.put("share.coordinator.state.topic.replication.factor", 1);
        settings.put("share.coordinator.state.topic.min.isr", 1);
        settings.put("group.initial.rebalance.delay.ms", 0);
        // After kill() the controller keeps the dead broker's registration until its session times out (9 s by
        // default), and the restarted broker cannot register before that.
        settings.put("broker.session.timeout.ms", 3000);
        settings.put("broker.heartbeat.interval.ms", 500);
        String text = settings.entrySet().stream()
                .map(setting -> setting.getKey() + "=" + setting.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        // logback is the SLF4J binding on Sluice's classpath; without this file it would log at DEBUG.
        String logback = """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.kafka" level="INFO"/>
                  <logger name="kafka" level="INFO"/>
                  <logger name="state.change.logger" level="WARN"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """;
        try {
            Files.writeString(configFile, text, StandardCharsets.UTF_8);
            Files.writeString(logbackFile(), logback, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the configuration of " + name(), e);
        }
    }

    private void formatStorage() {
        String clusterId = Uuid.randomUuid().toString();
        CommandResult format = launcher.run(javaCommand(List.of("-Xmx256m"), "kafka.tools.StorageTool",
                List.of("format", "--cluster-id", clusterId, "--config", configFile.toString())), workDir,
                FORMAT_TIMEOUT);
        if (!format.succeeded()) {
            throw new LocalServerException("formatting the storage of " + name() + " failed with exit code "
                    + format.exitCode() + ":\n" + format.output());
        }
    }

    private void launch() {
        process = new ServerProcess(launcher.startServer(
                javaCommand(BROKER_JVM_OPTIONS, "kafka.Kafka", List.of(configFile.toString())), workDir, logFile));
        awaitReady();
    }

    /** Ready once the broker answers a cluster description, i.e. it has joined its own KRaft quorum. */
    private void awaitReady() {
        Deadline deadline = Deadline.in(STARTUP_TIMEOUT);
        awaitListening(deadline);
        Exception lastFailure = null;
        try (Admin admin = Admin.create(adminConfig())) {
            while (!deadline.hasPassed()) {
                requireAlive(lastFailure);
                try {
                    DescribeClusterOptions options =
                            new DescribeClusterOptions().timeoutMs((int) DESCRIBE_TIMEOUT.toMillis());
                    if (!admin.describeCluster(options).nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    lastFailure = e;
                }
                deadline.pause(POLL_INTERVAL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while waiting for " + name(), e);
        }
        throw startFailure("did not become ready within " + STARTUP_TIMEOUT.toSeconds() + " s", lastFailure);
    }

    /** Waits for the listener to accept TCP connections, so the admin client does not log refused connections. */
    private void awaitListening(Deadline deadline) {
        IOException lastFailure = null;
        while (!deadline.hasPassed()) {
            requireAlive(lastFailure);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), (int) POLL_INTERVAL.toMillis());
                return;
            } catch (IOException e) {
                lastFailure = e;
            }
            deadline.pause(POLL_INTERVAL);
        }
        throw startFailure("did not listen on " + bootstrapServers() + " within " + STARTUP_TIMEOUT.toSeconds() + " s",
                lastFailure);
    }

    private void requireAlive(Exception lastFailure) {
        if (!process.isAlive()) {
            throw startFailure("exited with code " + process.exitCode(), lastFailure);
        }
    }

    private LocalServerException startFailure(String what, Exception cause) {
        return new LocalServerException("Kafka broker " + name() + " " + what + "\n"
                + WorkDirectory.tail(logFile, LOG_TAIL_LINES), cause);
    }

    private Map<String, Object> adminConfig() {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    }

    private List<String> javaCommand(List<String> jvmOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-Dlogback.configurationFile=" + logbackFile());
        // Under Surefire or Failsafe this may be a single manifest-only jar; its Class-Path is honoured by -cp.
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    private Path logbackFile() {
        return workDir.resolve("logback.xml");
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .filter(command -> Path.of(command).getFileName().toString().equals("java"))
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Last-resort cleanup, also run by the shutdown hook: no controlled shutdown, just kill and delete. */
    private synchronized void discard() {
        closed = true;
        kill();
        WorkDirectory.deleteRecursively(workDir);
    }

    private void abandon() {
        discard();
        shutdownCleanup.cancel();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
    }
}
