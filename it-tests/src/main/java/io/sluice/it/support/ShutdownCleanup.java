package io.sluice.it.support;

/** Runs a server's last-resort cleanup when the JVM exits without the server having been closed. */
final class ShutdownCleanup {

    private final Thread hook;

    private ShutdownCleanup(Thread hook) {
        this.hook = hook;
    }

    static ShutdownCleanup register(String serverName, Runnable cleanup) {
        Thread hook = new Thread(cleanup, "sluice-cleanup-" + serverName);
        Runtime.getRuntime().addShutdownHook(hook);
        return new ShutdownCleanup(hook);
    }

    /** Called once the server has cleaned up by itself. */
    void cancel() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, so the hook is running or about to; it must stay registered.
        }
    }
}
