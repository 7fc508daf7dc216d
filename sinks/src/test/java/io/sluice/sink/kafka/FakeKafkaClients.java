package io.sluice.sink.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;

/** Hands out one given producer and answers the cluster check as scripted; remembers the settings it got. */
final class FakeKafkaClients implements KafkaClients {
    private final Producer<byte[], byte[]> producer;
    private final Deque<Exception> clusterAnswers;
    private Map<String, Object> producerSettings;
    private Map<String, Object> adminSettings;

    /**
     * @param clusterAnswers one per {@code awaitCluster} call, in order: an {@link ExecutionException},
     *                       {@link TimeoutException} or unchecked exception (as the admin client throws when it
     *                       cannot even be created) to throw; once they are used up, the cluster answers
     */
    FakeKafkaClients(Producer<byte[], byte[]> producer, Exception... clusterAnswers) {
        this.producer = producer;
        this.clusterAnswers = new ArrayDeque<>(List.of(clusterAnswers));
    }

    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
        producerSettings = settings;
        return producer;
    }

    @Override
    public void awaitCluster(Map<String, Object> settings, Duration timeout)
            throws ExecutionException, TimeoutException {
        adminSettings = settings;
        Exception answer = clusterAnswers.poll();
        if (answer instanceof ExecutionException e) {
            throw e;
        }
        if (answer instanceof TimeoutException e) {
            throw e;
        }
        if (answer instanceof RuntimeException e) {
            throw e;
        }
        if (answer != null) {
            throw new IllegalArgumentException("script a cluster answer as an ExecutionException, a TimeoutException"
                    + " or an unchecked exception");
        }
    }

    /** The settings the producer was created with, or {@code null} if none was created. */
    Map<String, Object> producerSettings() {
        return producerSettings;
    }

    Map<String, Object> adminSettings() {
        return adminSettings;
    }
}
