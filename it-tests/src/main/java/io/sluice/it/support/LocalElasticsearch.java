package io.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Elasticsearch (security off, HTTP and transport on free loopback ports) with its
 * configuration, data and logs in a fresh temporary directory, from the distribution {@link ElasticsearchDistribution}
 * unpacks. It runs on this JVM's Java ({@code ES_JAVA_HOME}) with a 512 MB heap.
 *
 * <p>Elasticsearch refuses to run as root. When this JVM runs as root the server runs as the system account
 * {@value OsAccount#DEFAULT_NAME}, created on first use, which then owns the temporary directory.
 *
 * <p>{@code bin/elasticsearch} starts a small launcher JVM that starts the server JVM and feeds its standard input;
 * the server exits when that input closes. So the server dies with the launcher, and the launcher, started like
 * every local server with a parent-death signal, dies with this JVM.
 *
 * <p>Readiness is {@code GET /_cluster/health} answering (this minimal distribution answers {@code GET /} with 405).
 */
public final class LocalElasticsearch implements LocalServer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalElasticsearch.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    private static final int LOG_TAIL_LINES = 40;
    private static final String HEAP = "-Xms512m -Xmx512m";

    private final Path home;
    private final ProcessLauncher launcher;
    private final Path workDir;
    private final Path logFile;
    private final int port;
    private final int transportPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
    private ServerProcess process;
    private ShutdownCleanup shutdownCleanup;
    private boolean closed;

    private LocalElasticsearch(Path home, ProcessLauncher launcher, Path workDir, int port, int transportPort) {
        this.home = home;
        this.launcher = launcher;
        this.workDir = workDir;
        this.logFile = workDir.resolve("elasticsearch.log");
        this.port = port;
        this.transportPort = transportPort;
    }

    /** Starts a server and returns once it answers cluster health requests. */
    public static LocalElasticsearch start() {
        Instant begin = Instant.now();
        Path home = ElasticsearchDistribution.install();
        ProcessLauncher launcher = OsAccount.currentUserIsRoot()
                ? ProcessLauncher.as(OsAccount.ensureSystemAccount(OsAccount.DEFAULT_NAME))
                : ProcessLauncher.asCurrentUser();
        int[] ports = FreePorts.pick(2);
        LocalElasticsearch server = new LocalElasticsearch(home, launcher,
                WorkDirectory.create("sluice-elasticsearch-run-"), ports[0], ports[1]);
        server.shutdownCleanup = ShutdownCleanup.register(server.name(), server::discard);
        try {
            server.prepare();
            server.launch();
        } catch (RuntimeException e) {
            server.abandon();
            throw e;
        }
        LOG.info("Elasticsearch {} ready on {} in {} ms", ElasticsearchDistribution.version(), server.url(),
                Duration.between(begin, Instant.now()).toMillis());
        return server;
    }

    @Override
    public String name() {
        return "elasticsearch-" + port;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    /** The HTTP address, e.g. {@code http://127.0.0.1:9200}. */
    public String url() {
        return "http://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Shuts the server down in a controlled way (SIGTERM to its launcher), or kills it if that takes too long. */
    @Override
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        if (!process.stop(SHUTDOWN_TIMEOUT)) {
            LOG.warn("{} did not shut down within {} s and was killed", name(), SHUTDOWN_TIMEOUT.toSeconds());
        }
        // The launcher may end before the server JVM below it: the tree goes, so the ports are free for a restart.
        kill();
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

    /** A configuration directory of the server's own (Elasticsearch writes its keystore there) and empty dirs. */
    private void prepare() {
        try {
            Path config = Files.createDirectories(workDir.resolve("config"));
            try (Stream<Path> files = Files.walk(home.resolve("config"))) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Path target = config.resolve(home.resolve("config").relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.createDirectories(workDir.resolve("data"));
            Files.createDirectories(workDir.resolve("logs"));
            Files.createDirectories(workDir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + workDir + " for " + name(), e);
        }
        if (launcher.account().isPresent()) {
            WorkDirectory.requireTraversableByOthers(workDir);
            WorkDirectory.requireTraversableByOthers(home);
            launcher.account().get().takeOwnership(workDir);
        }
    }

    private void launch() {
        process = new ServerProcess(launcher.startServer(command(), workDir, logFile));
        awaitReady();
    }

    private List<String> command() {
        // The launcher hands the server a cleaned environment; these go in through env(1), which execs the script.
        Path env = Executables.onPath("env").orElseThrow(() -> new LocalServerException("env(1) is not on PATH"));
        List<String> command = new ArrayList<>(List.of(env.toString(),
                "ES_JAVA_HOME=" + System.getProperty("java.home"),
                "ES_PATH_CONF=" + workDir.resolve("config"),
                "ES_TMPDIR=" + workDir.resolve("tmp"),
                "ES_JAVA_OPTS=" + HEAP,
                home.resolve("bin").resolve("elasticsearch").toString()));
        for (String setting : List.of(
                "discovery.type=single-node",
                "xpack.security.enabled=false",
                "network.host=" + HOST,
                "http.port=" + port,
                "transport.port=" + transportPort,
                "cluster.name=sluice-it-" + port,
                "node.name=sluice-it",
                "path.data=" + workDir.resolve("data"),
                "path.logs=" + workDir.resolve("logs"),
                // A nearly full test disk would otherwise make every index read-only at the flood-stage watermark.
                "cluster.routing.allocation.disk.threshold_enabled=false")) {
            command.add("-E" + setting);
        }
        return command;
    }

    private void awaitReady() {
        Deadline deadline = Deadline.in(STARTUP_TIMEOUT);
        HttpRequest health = HttpRequest.newBuilder(URI.create(url() + "/_cluster/health"))
                .timeout(HEALTH_TIMEOUT).GET().build();
        Exception lastFailure = null;
        while (!deadline.hasPassed()) {
            if (!process.isAlive()) {
                throw startFailure("exited with code " + process.exitCode(), lastFailure);
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastFailure = new LocalServerException("HTTP " + response.statusCode() + ": " + response.body());
            } catch (IOException e) {
                lastFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalServerException("interrupted while waiting for " + name(), e);
            }
            deadline.pause(POLL_INTERVAL);
        }
        throw startFailure("did not answer within " + STARTUP_TIMEOUT.toSeconds() + " s", lastFailure);
    }

    private LocalServerException startFailure(String what, Exception cause) {
        return new LocalServerException("Elasticsearch " + name() + " " + what + "\n"
                + WorkDirectory.tail(logFile, LOG_TAIL_LINES), cause);
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
