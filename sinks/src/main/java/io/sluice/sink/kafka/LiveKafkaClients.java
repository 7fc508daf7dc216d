package io.sluice.sink.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/** {@link KafkaClients} backed by kafka-clients' own producer and admin client. */
final class LiveKafkaClients implements KafkaClients {
    static final LiveKafkaClients INSTANCE = new LiveKafkaClients();

    private LiveKafkaClients() {
    }

    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
        return new KafkaProducer<>(settings);
    }

    @Override
    public void awaitCluster(Map<String, Object> settings, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        Admin admin = Admin.create(settings);
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            // Zero: after a timeout the request is still pending, and waiting for it is what we just gave up on.
            admin.close(Duration.ZERO);
        }
    }
}
