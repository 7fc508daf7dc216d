package io.sluice.engine.sink;

import java.util.List;

/**
 * A pipeline's dead-letter target: where the {@code Dispatcher} puts the events that a sink with
 * {@code on-failure: dead-letter} rejected for good, so that the pipeline can go on and the events can be replayed
 * once their cause is fixed.
 *
 * <h2>Lifecycle and threading</h2>
 * {@link #open()} once, then {@link #write(List)} any number of times, then {@link #close()}. The dispatcher never
 * calls {@code write} from two threads at once (its sinks write in parallel, their dead letters one at a time).
 * {@code close} may be called from another thread and more than once.
 *
 * <h2>Guarantee</h2>
 * {@code write} returns only once the target durably holds every dead letter given (a file: written and
 * fsynced; Kafka: acknowledged with {@code acks=all}). The events count as handled, and the pipeline's offset may
 * pass them, only on that return. A write that fails may have stored some of the letters; the dispatcher writes
 * them all again, so a letter may be stored twice (replaying it twice is harmless: sinks are idempotent).
 */
public interface DeadLetterQueue extends AutoCloseable {

    /**
     * Connects to or opens the target and checks that it can be written.
     *
     * @throws RetriableSinkException when the target cannot be reached or used now but may be later
     * @throws SinkException          when it cannot work with its configuration
     */
    void open() throws SinkException, InterruptedException;

    /**
     * Stores the dead letters, in order, and waits until the target durably acknowledged them.
     *
     * @throws RetriableSinkException when they could not be stored for a transient reason; the dispatcher retries
     *                                with the sink's backoff, and the pipeline waits meanwhile
     * @throws SinkException          when the target refuses them for good; the pipeline stops, and nothing is
     *                                committed past these events
     */
    void write(List<DeadLetter> letters) throws SinkException, InterruptedException;

    /** The target in words for messages, e.g. {@code dead-letter file ./data/orders.dead-letters.jsonl}. */
    String describe();

    /** Releases files, connections and threads. Idempotent. */
    @Override
    void close();
}
