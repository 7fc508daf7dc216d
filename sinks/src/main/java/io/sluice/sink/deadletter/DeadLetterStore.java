package io.sluice.sink.deadletter;

import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.codec.StoredDeadLetter;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The dead letters of one pipeline as its target holds them, read back by {@code sluice dead-letters}: listed, or
 * replayed to the sink they came from and then removed (a file) or marked done (a Kafka topic).
 *
 * <p>Lifecycle: {@link #open()}, any number of calls, {@link #close()}; from one thread.
 */
public interface DeadLetterStore extends AutoCloseable {

    /** Applies dead letters to their sink during a replay. */
    @FunctionalInterface
    interface Replayer {
        /**
         * Applies the batch, in order, to the sink it came from.
         *
         * @return the letters the sink rejected again, each with its new reason; the store keeps them
         * @throws SinkException when the sink cannot take the batch (now or at all); the replay stops, and the
         *                       batch stays in the store
         */
        List<DeadLetter> apply(List<DeadLetter> batch) throws SinkException, InterruptedException;
    }

    /** The store in words, e.g. {@code dead-letter file ./data/orders.dead-letters.jsonl}. */
    String describe();

    /**
     * Makes sure the store can be read and changed now.
     *
     * @throws DeadLetterStoreException when it cannot, e.g. a file that a running pipeline holds, or a Kafka
     *                                  cluster that does not answer
     */
    void open() throws DeadLetterStoreException;

    /**
     * Hands every pending dead letter of the named sinks of the pipeline to {@code each}, in the order stored,
     * and the location of every entry that cannot be read (with why) to {@code unreadable}. Changes nothing.
     */
    void forEachPending(Collection<String> sinks, Consumer<StoredDeadLetter> each, Consumer<String> unreadable)
            throws DeadLetterStoreException, InterruptedException;

    /**
     * Replays the pending dead letters of one sink, in the order stored, in batches of at most {@code batchSize},
     * and settles each batch: the letters {@code replayer} returns are kept (with their new reason), the others
     * removed or marked done. Stops at the first batch that {@code replayer} cannot apply, and rethrows its
     * exception once the batches before it are settled.
     *
     * @throws DeadLetterStoreException when the store cannot be read or changed, or holds an entry it cannot read
     *                                  where the replay would have to pass it
     */
    void replay(String sink, int batchSize, Replayer replayer)
            throws DeadLetterStoreException, SinkException, InterruptedException;

    /** Releases locks, files and connections. Idempotent. */
    @Override
    void close();
}
