package io.sluice.sink.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;

/**
 * Where a {@link KafkaSink} gets its Kafka clients. Production uses {@link #live()}; fast unit tests of the sink's own
 * logic pass a {@code MockProducer} (behaviour against a real broker is tested in it-tests).
 */
public interface KafkaClients {

    /** The clients of kafka-clients, talking to the cluster. */
    static KafkaClients live() {
        return LiveKafkaClients.INSTANCE;
    }

    /** A new producer with these settings (which hold credentials: never log them). */
    Producer<byte[], byte[]> producer(Map<String, Object> settings);

    /**
     * Returns once the cluster described by {@code settings} answered a metadata request, and releases whatever it
     * used for that.
     *
     * @throws ExecutionException wrapping Kafka's error when the cluster answered with one (e.g. authentication)
     * @throws TimeoutException   when no broker answered within {@code timeout}
     */
    void awaitCluster(Map<String, Object> settings, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException;
}
