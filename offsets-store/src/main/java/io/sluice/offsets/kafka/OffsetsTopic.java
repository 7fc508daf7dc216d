package io.sluice.offsets.kafka;

import io.sluice.engine.offset.OffsetStoreException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the offsets topic exists and is compacted: created when missing with one partition and
 * {@code cleanup.policy=compact}; an existing topic with any other policy is refused, because deletion by retention
 * would remove the only record of a pipeline that has been quiet for longer than {@code retention.ms}.
 */
final class OffsetsTopic {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);

    private OffsetsTopic() {
    }

    static void ensure(KafkaStoreSettings settings, String store) throws OffsetStoreException {
        Admin admin;
        try {
            admin = Admin.create(settings.admin());
        } catch (KafkaException e) {
            throw new OffsetStoreException("cannot connect to " + store + ": "
                    + KafkaStoreErrors.explain(e, settings::redact), e);
        }
        try {
            if (!exists(admin, settings)) {
                create(admin, settings);
            }
            requireCompacted(admin, settings, store);
        } catch (ExecutionException | KafkaException e) {
            throw new OffsetStoreException("cannot check or create " + store + ": "
                    + KafkaStoreErrors.explain(e, settings::redact), e);
        } catch (TimeoutException e) {
            throw new OffsetStoreException("cannot check or create " + store + ": no answer from "
                    + settings.bootstrapServers() + " within " + settings.timeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OffsetStoreException("interrupted while checking " + store, e);
        } finally {
            // Zero: after a timeout the request is still pending, and waiting for it is what was just given up on.
            admin.close(Duration.ZERO);
        }
    }

    static boolean exists(Admin admin, KafkaStoreSettings settings)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            admin.describeTopics(List.of(settings.topic())).allTopicNames().get(millis(settings), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    private static void create(Admin admin, KafkaStoreSettings settings)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            admin.createTopics(List.of(newTopic(settings))).all().get(millis(settings), TimeUnit.MILLISECONDS);
            LOG.info("Created the compacted offsets topic {} on {}", settings.topic(), settings.bootstrapServers());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // Another pipeline created it at the same moment; its policy is checked next like any other's.
        }
    }

    /** The topic the store creates: one partition, compacted. */
    static NewTopic newTopic(KafkaStoreSettings settings) {
        // One partition keeps every save of every pipeline in one ordered log; min.insync.replicas is left to the
        // broker, as the cluster's operators chose it for their durability.
        return new NewTopic(settings.topic(), Optional.of(1), settings.replicationFactor())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    private static void requireCompacted(Admin admin, KafkaStoreSettings settings, String store)
            throws ExecutionException, TimeoutException, InterruptedException, OffsetStoreException {
        String value = cleanupPolicy(admin, settings);
        if (!value.equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new OffsetStoreException(store + " exists but " + notCompacted(value) + ". Set cleanup.policy=compact"
                    + " on it (" + compactCommand(settings) + ") or use another topic");
        }
    }

    /** The existing topic's {@code cleanup.policy}; empty when it has none. */
    static String cleanupPolicy(Admin admin, KafkaStoreSettings settings)
            throws ExecutionException, TimeoutException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, settings.topic());
        Config config = admin.describeConfigs(List.of(resource)).all()
                .get(millis(settings), TimeUnit.MILLISECONDS).get(resource);
        ConfigEntry policy = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policy == null || policy.value() == null ? "" : policy.value().strip();
    }

    static String notCompacted(String policy) {
        return "its cleanup.policy is '" + policy + "', not 'compact': Kafka would delete the offsets of a pipeline"
                + " that is quiet for longer than the topic's retention";
    }

    static String compactCommand(KafkaStoreSettings settings) {
        return "kafka-configs.sh --bootstrap-server " + settings.bootstrapServers() + " --alter --entity-type topics"
                + " --entity-name " + settings.topic() + " --add-config cleanup.policy=compact";
    }

    static long millis(KafkaStoreSettings settings) {
        return settings.timeout().toMillis();
    }
}
