package io.sluice.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The running process of a local server, with the ways to end it. */
final class ServerProcess {

    private final Process process;

    ServerProcess(Process process) {
        this.process = process;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once the process has ended. */
    int exitCode() {
        return process.exitValue();
    }

    /** Asks the process to shut down (SIGTERM). */
    void terminate() {
        process.destroy();
    }

    /**
     * Asks the process to shut down and waits up to {@code timeout}; SIGKILLs its tree if it is still there.
     *
     * @return whether it shut down by itself
     */
    boolean stop(Duration timeout) {
        terminate();
        if (awaitExit(timeout)) {
            return true;
        }
        killTree(timeout);
        return false;
    }

    /** Whether the process ended within {@code timeout}. */
    boolean awaitExit(Duration timeout) {
        return awaitExit(process.toHandle(), timeout);
    }

    /**
     * SIGKILLs the process and every process below it, as a machine crash would, and waits until they are gone.
     * Children are listed before the parent dies, since afterwards they are no longer its descendants.
     */
    void killTree(Duration timeout) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.toHandle().descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            if (!awaitExit(handle, timeout)) {
                throw new LocalServerException("process " + handle.pid() + " survived SIGKILL for "
                        + timeout.toSeconds() + " s");
            }
        }
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for process " + handle.pid() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while waiting for process " + handle.pid() + " to end", e);
        }
    }
}
