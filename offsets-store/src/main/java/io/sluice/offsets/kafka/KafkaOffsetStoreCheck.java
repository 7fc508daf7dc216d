package io.sluice.offsets.kafka;

import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * {@code sluice check} for a {@code kafka} offset store: the cluster reached with the store's client settings, and
 * the offsets topic present and compacted, or missing and creatable ({@code validateOnly}: nothing is created).
 */
public final class KafkaOffsetStoreCheck implements ServerCheck {
    private final String pipeline;
    private final KafkaStoreSettings settings;
    private final OffsetStoreException unusable;
    private final String subject;

    public KafkaOffsetStoreCheck(String pipeline, KafkaOffsetStoreConfig config, PostgresSourceConfig source) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.subject = "offsets kafka " + config.bootstrapServers() + " topic " + config.topic();
        KafkaStoreSettings read = null;
        OffsetStoreException problem = null;
        try {
            read = KafkaStoreSettings.from(OffsetStores.settings(config, source));
        } catch (OffsetStoreException e) {
            problem = e;
        }
        this.settings = read;
        this.unusable = problem;
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public List<Finding> run() throws InterruptedException {
        Findings findings = new Findings(pipeline, subject);
        if (unusable != null) {
            findings.error(unusable.getMessage(), "correct the offsets.kafka settings");
            return findings.list();
        }
        Admin admin;
        try {
            admin = Admin.create(settings.admin());
        } catch (KafkaException e) {
            findings.error("cannot create a Kafka client: " + KafkaStoreErrors.explain(e, settings::redact),
                    "check offsets.kafka (bootstrap-servers, client)");
            return findings.list();
        }
        try {
            admin.describeCluster().nodes().get(OffsetsTopic.millis(settings), TimeUnit.MILLISECONDS);
            if (OffsetsTopic.exists(admin, settings)) {
                String policy = OffsetsTopic.cleanupPolicy(admin, settings);
                if (policy.equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    findings.ok("the topic exists and is compacted");
                } else {
                    findings.error("the topic exists but " + OffsetsTopic.notCompacted(policy),
                            OffsetsTopic.compactCommand(settings) + ", or use another topic");
                }
            } else {
                validateCreation(admin, findings);
            }
        } catch (TimeoutException e) {
            unreachable(findings);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                // The client's own deadline (default.api.timeout.ms) may end the wait first.
                unreachable(findings);
            } else {
                findings.error("cannot use the Kafka cluster: " + KafkaStoreErrors.explain(e, settings::redact),
                        "check offsets.kafka (bootstrap-servers, client)");
            }
        } catch (KafkaException e) {
            findings.error("cannot use the Kafka cluster: " + KafkaStoreErrors.explain(e, settings::redact),
                    "check offsets.kafka (bootstrap-servers, client)");
        } finally {
            // Zero: after a timeout the request is still pending, and waiting for it is what was just given up on.
            admin.close(Duration.ZERO);
        }
        return findings.list();
    }

    private void unreachable(Findings findings) {
        findings.error("cannot reach the Kafka cluster: no answer within " + settings.timeout().toMillis() + " ms",
                "check offsets.kafka.bootstrap-servers and that the brokers run and are reachable from here");
    }

    private void validateCreation(Admin admin, Findings findings) throws InterruptedException, TimeoutException {
        try {
            admin.createTopics(List.of(OffsetsTopic.newTopic(settings)), new CreateTopicsOptions().validateOnly(true))
                    .all().get(OffsetsTopic.millis(settings), TimeUnit.MILLISECONDS);
            findings.ok("the topic does not exist yet; Sluice creates it (compacted, one partition)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                findings.ok("the topic was created meanwhile");
                return;
            }
            findings.error("the topic does not exist and cannot be created: "
                    + KafkaStoreErrors.explain(e, settings::redact), "create it: kafka-topics.sh --bootstrap-server "
                    + settings.bootstrapServers() + " --create --topic " + settings.topic()
                    + " --partitions 1 --config cleanup.policy=compact, or grant the client CREATE on it");
        }
    }
}
