package io.sluice.sink.kafka;

import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.kafka.KafkaErrors.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What the dead-letter producer and the dead-letter reader of one pipeline share: the topic, the client settings
 * (Sluice's producer guarantees, with the config's {@code producer} entries on top) and how errors read.
 */
final class DeadLetterTopic {
    /** How long a client waits for the cluster before the caller retries or gives up. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final String pipeline;
    final String name;
    final String where;
    final ProducerSettings settings;

    private DeadLetterTopic(String pipeline, String name, String where, ProducerSettings settings) {
        this.pipeline = pipeline;
        this.name = name;
        this.where = where;
        this.settings = settings;
    }

    /** @throws SinkException when a {@code producer} entry of the config is refused (listed by key) */
    static DeadLetterTopic of(String pipeline, KafkaDeadLetterConfig config) throws SinkException {
        String topic = config.topicFor(pipeline);
        String where = "pipeline '" + pipeline + "', " + describe(topic, config.bootstrapServers());
        return new DeadLetterTopic(pipeline, topic, where, ProducerSettings.of("sluice-" + pipeline
                + "-dead-letters", config.bootstrapServers(), config.producer(), where));
    }

    static String describe(String topic, String bootstrapServers) {
        return "dead-letter topic '" + topic + "' (" + bootstrapServers + ")";
    }

    /**
     * Creates the topic with the broker's default partitions and replication when it is missing.
     *
     * @throws RetriableSinkException when the cluster does not answer in time or says to try again
     * @throws SinkException          when it refuses (e.g. not authorized to describe or create the topic)
     */
    void createIfMissing() throws SinkException, InterruptedException {
        try (Admin admin = Admin.create(settings.admin())) {
            try {
                admin.describeTopics(Set.of(name)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("cannot describe the topic", e.getCause());
                }
            }
            try {
                admin.createTopics(List.of(new NewTopic(name, Optional.empty(), Optional.empty()))).all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure("cannot create the topic", e.getCause());
                }
            }
        } catch (TimeoutException e) {
            throw new RetriableSinkException(where + ": cannot reach the Kafka cluster: no answer within "
                    + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptException e) {
            throw interrupted(e);
        } catch (KafkaException e) {
            throw failure("cannot use the Kafka cluster", e);
        }
    }

    /** A transient error as retriable; anything else (credentials, rights, a refused record) for good. */
    SinkException failure(String what, Throwable error) {
        String reason = KafkaErrors.explain(error, settings::redact);
        return KafkaErrors.classify(error) == Kind.RETRIABLE
                ? new RetriableSinkException(where + ": " + what + ": " + reason, error)
                : new SinkException(where + ": " + what + ": " + reason, error);
    }

    /** Kafka's unchecked interrupt as the checked one, with the interrupt consumed by it. */
    InterruptedException interrupted(InterruptException e) {
        Thread.interrupted();
        InterruptedException interrupted = new InterruptedException(where + ": interrupted");
        interrupted.initCause(e);
        return interrupted;
    }
}
