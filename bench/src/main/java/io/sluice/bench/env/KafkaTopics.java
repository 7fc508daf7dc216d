package io.sluice.bench.env;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates each run's topic before Sluice starts, with {@code message.timestamp.type=LogAppendTime} so that a record's
 * timestamp says when the broker appended it (the latency runs read it), and deletes it after the run.
 */
public final class KafkaTopics implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;

    public KafkaTopics(String bootstrapServers) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public void create(String topic, int partitions) {
        NewTopic newTopic = new NewTopic(topic, partitions, (short) 1)
                .configs(Map.of("message.timestamp.type", "LogAppendTime"));
        wait(admin.createTopics(List.of(newTopic)).all(), "create topic " + topic);
    }

    /** Deletes the topic; the broker removes its data in the background. */
    public void delete(String topic) {
        wait(admin.deleteTopics(List.of(topic)).all(), "delete topic " + topic);
    }

    private static void wait(org.apache.kafka.common.KafkaFuture<Void> future, String what) {
        try {
            future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
