package io.sluice.sink.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedCompressionTypeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What a Kafka client error means for the sink, decided by the error's type (never its text), and how to say it in
 * plain words.
 */
final class KafkaErrors {

    /** The three outcomes the Sink SPI knows. */
    enum Kind {
        /** May succeed later (broker down, leader moving, not enough replicas, timeouts): retry the event. */
        RETRIABLE,
        /** The broker refused this record and always will (too large, invalid): the event is poison. */
        REJECTED,
        /** The producer cannot go on (credentials, rights, fenced, broken state): stop the pipeline. */
        FATAL
    }

    private static final Map<Class<? extends Throwable>, String> MEANINGS = Map.ofEntries(
            Map.entry(java.util.concurrent.TimeoutException.class, "no answer in time"),
            Map.entry(TimeoutException.class, "Kafka did not answer in time"),
            Map.entry(UnknownTopicOrPartitionException.class, "the topic does not exist (yet)"),
            Map.entry(NotEnoughReplicasException.class, "not enough in-sync replicas to accept writes"),
            Map.entry(NotEnoughReplicasAfterAppendException.class, "not enough in-sync replicas acknowledged"),
            Map.entry(RecordTooLargeException.class,
                    "the record is larger than max.request.size or the topic's max.message.bytes allow"),
            Map.entry(RecordBatchTooLargeException.class, "the record batch is larger than the topic allows"),
            Map.entry(InvalidRecordException.class, "the broker rejected the record as invalid"),
            Map.entry(InvalidTopicException.class, "the topic name is not valid"),
            Map.entry(PolicyViolationException.class, "a broker policy rejected the record"),
            Map.entry(AuthenticationException.class, "authentication failed"),
            Map.entry(TopicAuthorizationException.class, "not authorized to write to the topic"),
            Map.entry(ClusterAuthorizationException.class, "not authorized on the cluster"),
            Map.entry(AuthorizationException.class, "not authorized"),
            Map.entry(ProducerFencedException.class, "another producer fenced this one"),
            Map.entry(InvalidProducerEpochException.class, "the producer's epoch is no longer valid"),
            Map.entry(OutOfOrderSequenceException.class,
                    "the broker lost track of the producer's record sequence; the producer cannot go on"),
            Map.entry(UnsupportedVersionException.class, "the broker does not support what the producer needs"),
            Map.entry(UnsupportedCompressionTypeException.class,
                    "the broker does not support the configured compression.type"));

    private KafkaErrors() {
    }

    static Kind classify(Throwable error) {
        if (error instanceof AuthenticationException || error instanceof AuthorizationException
                || error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
                || error instanceof OutOfOrderSequenceException || error instanceof UnsupportedVersionException
                || error instanceof UnsupportedCompressionTypeException) {
            return Kind.FATAL;
        }
        if (error instanceof RetriableException || error instanceof java.util.concurrent.TimeoutException) {
            return Kind.RETRIABLE;
        }
        // Remaining broker answers are about this record (size, validity, policy); anything that is not a broker
        // answer at all (a closed or broken producer) leaves the producer unusable.
        if (error instanceof ApiException) {
            return Kind.REJECTED;
        }
        return Kind.FATAL;
    }

    /**
     * The error's meaning in plain words followed by what Kafka said, e.g. {@code not authorized to write to the
     * topic (Not authorized to access topics: [orders])}. Kafka's text passes through {@code redact} because some
     * client errors quote the setting they could not use.
     */
    static String explain(Throwable error, UnaryOperator<String> redact) {
        String said = redact.apply(said(error));
        String meaning = meaning(error);
        if (meaning == null) {
            return said.isEmpty() ? error.getClass().getSimpleName() : said;
        }
        return said.isEmpty() ? meaning : meaning + " (" + said + ")";
    }

    private static String meaning(Throwable error) {
        for (Class<?> type = error.getClass(); type != null && type != Throwable.class; type = type.getSuperclass()) {
            String meaning = MEANINGS.get(type);
            if (meaning != null) {
                return meaning;
            }
        }
        return null;
    }

    /**
     * Kafka's messages along the cause chain: a client wraps the real reason ("Failed to construct kafka producer"
     * caused by "No resolvable bootstrap urls..."), and the wrapper alone says nothing.
     */
    private static String said(Throwable error) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = error; t != null && messages.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message.strip());
            }
            if (!(t instanceof KafkaException)) {
                break;
            }
        }
        return String.join(": ", messages);
    }
}
