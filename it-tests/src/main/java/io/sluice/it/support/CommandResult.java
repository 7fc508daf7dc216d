package io.sluice.it.support;

/** How a short command ended: its exit code and everything it printed (stdout and stderr interleaved). */
record CommandResult(int exitCode, String output) {

    boolean succeeded() {
        return exitCode == 0;
    }
}
