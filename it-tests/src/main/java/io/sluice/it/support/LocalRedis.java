package io.sluice.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server listening on 127.0.0.1 at a free port, with its data in a fresh temporary directory.
 *
 * <p>The binary is the machine's {@code redis-server} or the one inside the embedded-redis jar, as the
 * {@value RedisBinaries#PROPERTY} system property chooses. {@link Options} set a password for the default user,
 * further ACL users, and persistence: none by default (fast, and a restart comes back empty, as a cache without
 * persistence does), or an append-only file synced every second, so a {@link #stop() graceful stop} and
 * {@link #restart()} keep every acknowledged write.
 *
 * <p>Redis runs as the current user, root included; its output goes to {@code redis.log} in the temporary
 * directory.
 */
public final class LocalRedis implements LocalServer {

    /** What survives a restart. */
    public enum Persistence {
        /** Nothing: no snapshots, no append-only file. A restart comes back empty. */
        NONE,
        /**
         * An append-only file, {@code appendfsync everysec}: a graceful stop syncs it, so nothing acknowledged is
         * lost; a {@link #kill()} may lose up to the last second.
         */
        APPEND_ONLY
    }

    /**
     * An ACL user, e.g. {@code new AclUser("sluice", "secret", "~orders:* ~{orders:* ~sluice:* +@all")}.
     *
     * @param rules ACL rules in {@code redis.conf} syntax: key patterns, channels, command categories
     */
    public record AclUser(String name, String password, String rules) {
        public AclUser {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(rules, "rules");
        }
    }

    /**
     * How to start a server.
     *
     * @param persistence what survives a restart
     * @param password    the default user's password ({@code requirepass}), or {@code null} for none
     * @param users       further ACL users
     * @param settings    further {@code redis.conf} lines, e.g. {@code cluster-enabled yes}
     */
    public record Options(Persistence persistence, String password, List<AclUser> users, List<String> settings) {
        public static final Options DEFAULT = new Options(Persistence.NONE, null, List.of(), List.of());

        public Options {
            Objects.requireNonNull(persistence, "persistence");
            users = List.copyOf(users);
            settings = List.copyOf(settings);
        }

        public Options withPersistence(Persistence persistence) {
            return new Options(persistence, password, users, settings);
        }

        public Options withPassword(String password) {
            return new Options(persistence, password, users, settings);
        }

        public Options withUser(AclUser user) {
            List<AclUser> more = new ArrayList<>(users);
            more.add(user);
            return new Options(persistence, password, more, settings);
        }

        /** A further {@code redis.conf} line, e.g. {@code replicaof 127.0.0.1 6379}. */
        public Options withSetting(String line) {
            List<String> more = new ArrayList<>(settings);
            more.add(line);
            return new Options(persistence, password, users, more);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int SOCKET_TIMEOUT_MILLIS = 2_000;
    private static final int LOG_TAIL_LINES = 40;

    private final Path program;
    private final RedisBinaries origin;
    /** Set for a Sentinel: the master it monitors, under that name, and the master's replicas. */
    private final String monitoredMaster;
    private final int monitoredPort;
    private final List<Integer> knownReplicaPorts;
    private final ProcessLauncher launcher;
    private final Options options;
    private final Path workDir;
    private final Path configFile;
    private final Path logFile;
    private final int port;
    private ServerProcess process;
    private ShutdownCleanup shutdownCleanup;
    private boolean closed;

    private LocalRedis(Path program, RedisBinaries origin, Options options, Path workDir, int port,
            String monitoredMaster, int monitoredPort, List<Integer> knownReplicaPorts) {
        this.program = program;
        this.origin = origin;
        this.monitoredMaster = monitoredMaster;
        this.monitoredPort = monitoredPort;
        this.knownReplicaPorts = List.copyOf(knownReplicaPorts);
        this.launcher = ProcessLauncher.asCurrentUser();
        this.options = options;
        this.workDir = workDir;
        this.configFile = workDir.resolve("redis.conf");
        this.logFile = workDir.resolve("redis.log");
        this.port = port;
    }

    /** Starts a server without password or persistence, with the binary the system property chooses. */
    public static LocalRedis start() {
        return start(Options.DEFAULT);
    }

    /** Starts a server with the binary the {@value RedisBinaries#PROPERTY} system property chooses. */
    public static LocalRedis start(Options options) {
        return start(RedisBinaries.fromSystemProperty(), options);
    }

    public static LocalRedis start(RedisBinaries binaries, Options options) {
        return start(binaries, options, null, 0, List.of());
    }

    /**
     * Starts a Sentinel (the same binary, in sentinel mode) that monitors {@code master} under {@code masterName},
     * with a quorum of one and short timeouts, so that a failover takes seconds. The replicas are named up front,
     * since Sentinel would otherwise find them only at its next INFO round, ten seconds later. Its {@link #port()}
     * is the sentinel's. Options' persistence and users do not apply to a sentinel.
     */
    public static LocalRedis startSentinel(LocalRedis master, String masterName, LocalRedis... replicas) {
        return start(master.origin, Options.DEFAULT, masterName, master.port(),
                java.util.Arrays.stream(replicas).map(LocalRedis::port).toList());
    }

    private static LocalRedis start(RedisBinaries binaries, Options options, String monitoredMaster,
            int monitoredPort, List<Integer> knownReplicaPorts) {
        Instant begin = Instant.now();
        Optional<Path> system = Executables.onPath("redis-server");
        RedisBinaries origin = switch (binaries) {
            case SYSTEM -> {
                if (system.isEmpty()) {
                    throw new LocalServerException("-D" + RedisBinaries.PROPERTY + "=system, but there is no"
                            + " redis-server on PATH (Debian: apt-get install redis-server)");
                }
                yield RedisBinaries.SYSTEM;
            }
            case EMBEDDED -> RedisBinaries.EMBEDDED;
            case AUTO -> system.isPresent() ? RedisBinaries.SYSTEM : RedisBinaries.EMBEDDED;
        };
        Path program = origin == RedisBinaries.SYSTEM ? system.orElseThrow() : EmbeddedRedis.extract();
        LocalRedis server = new LocalRedis(program, origin, options, WorkDirectory.create("sluice-redis-"),
                FreePorts.pick(), monitoredMaster, monitoredPort, knownReplicaPorts);
        server.shutdownCleanup = ShutdownCleanup.register(server.name(), server::discard);
        try {
            server.writeConfiguration();
            server.launch();
        } catch (RuntimeException e) {
            server.abandon();
            throw e;
        }
        LOG.info("Redis ({} binary {}) ready on {}:{} in {} ms, persistence {}", origin.name().toLowerCase(),
                program, HOST, server.port, Duration.between(begin, Instant.now()).toMillis(), options.persistence());
        return server;
    }

    @Override
    public String name() {
        return "redis-" + port;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The default user's password, or {@code null}. */
    public String password() {
        return options.password();
    }

    /** Where the binary came from; never {@link RedisBinaries#AUTO}. */
    public RedisBinaries binaries() {
        return origin;
    }

    public Options options() {
        return options;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Shuts Redis down gracefully (SIGTERM: it stops accepting clients and, with an append-only file, syncs it to
     * disk) and waits for its process to end; kills it if that takes too long.
     */
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

    private void writeConfiguration() {
        if (monitoredMaster != null) {
            // Sentinel rewrites this file as it learns the replicas and other sentinels, so it stays writable.
            List<String> sentinel = new ArrayList<>(List.of(
                    "# Sluice local test sentinel",
                    "bind " + HOST,
                    "port " + port,
                    "daemonize no",
                    "logfile \"\"",
                    "dir " + quote(workDir.toString()),
                    "sentinel monitor " + monitoredMaster + " " + HOST + " " + monitoredPort + " 1",
                    "sentinel down-after-milliseconds " + monitoredMaster + " 1000",
                    "sentinel failover-timeout " + monitoredMaster + " 5000"));
            knownReplicaPorts.forEach(replica -> sentinel.add("sentinel known-replica " + monitoredMaster + " "
                    + HOST + " " + replica));
            write(sentinel);
            return;
        }
        List<String> lines = new ArrayList<>(List.of(
                "# Sluice local test server",
                "bind " + HOST,
                "port " + port,
                "daemonize no",
                "logfile \"\"",
                "dir " + quote(workDir.toString()),
                // No snapshots in either mode: the append-only file alone decides what a restart keeps.
                "save \"\"",
                "appendonly " + (options.persistence() == Persistence.APPEND_ONLY ? "yes" : "no"),
                "appendfsync everysec"));
        if (options.password() != null) {
            lines.add("requirepass " + quote(options.password()));
        }
        for (AclUser user : options.users()) {
            lines.add("user " + user.name() + " on " + quote(">" + user.password()) + " " + user.rules());
        }
        lines.addAll(options.settings());
        write(lines);
    }

    private void write(List<String> lines) {
        try {
            Files.writeString(configFile, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + configFile, e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(program.toString(), configFile.toString()));
        if (monitoredMaster != null) {
            command.add("--sentinel");
        }
        process = new ServerProcess(launcher.startServer(command, workDir, logFile));
        awaitReady();
    }

    /** Ready once PING answers PONG: Redis answers LOADING while it reads its append-only file. */
    private void awaitReady() {
        Deadline deadline = Deadline.in(STARTUP_TIMEOUT);
        String lastAnswer = "no connection";
        while (!deadline.hasPassed()) {
            if (!process.isAlive()) {
                throw startFailure("exited with code " + process.exitCode() + " (last answer: " + lastAnswer + ")");
            }
            lastAnswer = ping();
            if (lastAnswer.equals("+PONG")) {
                return;
            }
            deadline.pause(POLL_INTERVAL);
        }
        throw startFailure("did not answer PING within " + STARTUP_TIMEOUT.toSeconds() + " s (last answer: "
                + lastAnswer + ")");
    }

    /** The first line of Redis's answer to PING (after AUTH when there is a password), or why there is none. */
    private String ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), SOCKET_TIMEOUT_MILLIS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (options.password() != null) {
                out.write(command("AUTH", options.password()));
                String auth = readLine(in);
                if (!auth.equals("+OK")) {
                    return auth;
                }
            }
            out.write(command("PING"));
            return readLine(in);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A command in RESP, Redis's protocol: an array of bulk strings. */
    private static byte[] command(String... words) {
        StringBuilder out = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            out.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                    .append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** A value for redis.conf, which reads double-quoted strings with backslash escapes. */
    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private LocalServerException startFailure(String what) {
        return new LocalServerException("Redis (" + name() + ", " + program + ") " + what + "\n"
                + WorkDirectory.tail(logFile, LOG_TAIL_LINES));
    }

    /** Last-resort cleanup, also run by the shutdown hook: no graceful shutdown, just kill and delete. */
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
