package io.sluice.it.support;

import java.nio.file.Path;

/**
 * A real server process that tests and the demo start on this machine, on free loopback ports.
 *
 * <p>Lifecycle: an implementation's static {@code start(...)} method returns a running server whose
 * working directory is a fresh temporary directory. {@link #stop()} and {@link #kill()} end the process but keep
 * its data, so that {@link #restart()} brings the same server back on the same ports. {@link #close()} ends the
 * process and deletes the data; it is idempotent. A JVM shutdown hook does the same for a server that is never
 * closed; and where {@code setpriv} (util-linux) is installed, a server process dies with its JVM even when that
 * JVM is killed and no hook runs.
 *
 * <p>Threading: every method may be called from any thread; lifecycle methods are serialised per server.
 */
public interface LocalServer extends AutoCloseable {

    /** A short human-readable name, used in log lines and error messages. */
    String name();

    /** The file the server's output goes to, for a look after a failure; {@link #close()} deletes it. */
    Path logFile();

    /** Whether the server process is alive; a stopped, killed or closed server is not. */
    boolean isRunning();

    /** Shuts the server down gracefully and waits for its process to end; does nothing if it is not running. */
    void stop();

    /** Ends the server process abruptly (SIGKILL), as a crash would; does nothing if it is not running. */
    void kill();

    /** Stops the server if it is running, then starts it again on the same ports with the same data. */
    void restart();

    /** Stops the server if it is running and deletes its data. Idempotent. */
    @Override
    void close();
}
