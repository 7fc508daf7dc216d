package io.sluice.engine.check;

import java.util.List;

/**
 * A read-only preflight check of one server a pipeline uses ({@code sluice check}): it connects, asks, and reports,
 * and never creates or changes anything on the server (no slot, publication, topic, index, table or key).
 */
public interface ServerCheck {

    /** The server as the findings name it, e.g. {@code kafka 127.0.0.1:9092}; known before {@link #run()}. */
    String subject();

    /**
     * Runs the checks, each bounded by the server's configured connect or request timeout. Everything found is a
     * finding, never an exception: an unreachable server is one error, and the checks that need it are left out.
     */
    List<Finding> run() throws InterruptedException;
}
