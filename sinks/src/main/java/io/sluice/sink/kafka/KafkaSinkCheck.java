package io.sluice.sink.kafka;

import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.RoutedTable;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.SinkException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@code sluice check} for a Kafka sink: the producer settings and topic templates as {@link KafkaSink#open()} checks
 * them, the cluster reached with those settings (TLS, SASL), and for each captured table its topic: present and
 * writable (when the broker reports rights), or missing and creatable by the broker on the first write. Creates
 * nothing: topics are described, and creation is only validated ({@code validateOnly}).
 */
public final class KafkaSinkCheck implements ServerCheck {
    private static final String AUTO_CREATE = "auto.create.topics.enable";
    private static final List<AclOperation> NEEDED = List.of(AclOperation.WRITE, AclOperation.DESCRIBE);

    private final String pipeline;
    private final String sinkName;
    private final KafkaSinkConfig config;
    private final Optional<List<RoutedTable>> tables;
    private final Duration timeout;

    /**
     * @param sinkName the sink as the pipeline names it, e.g. {@code kafka} or {@code kafka#2}
     * @param tables   the tables this sink receives with their topic templates; empty when they are unknown
     */
    public KafkaSinkCheck(String pipeline, String sinkName, KafkaSinkConfig config,
            Optional<List<RoutedTable>> tables) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.sinkName = Objects.requireNonNull(sinkName, "sinkName");
        this.config = Objects.requireNonNull(config, "config");
        this.tables = Objects.requireNonNull(tables, "tables");
        this.timeout = KafkaSink.DEFAULT_CONNECT_TIMEOUT;
    }

    @Override
    public String subject() {
        return sinkName + " " + config.bootstrapServers();
    }

    @Override
    public List<Finding> run() throws InterruptedException {
        Findings findings = new Findings(pipeline, subject());
        ProducerSettings settings;
        try {
            settings = ProducerSettings.of("sluice-" + pipeline + "-check", config, "the sink's settings are refused");
        } catch (SinkException e) {
            findings.error(e.getMessage(), "change the sink's producer settings as the message says");
            findings.skip("the cluster was not checked");
            return findings.list();
        }
        Map<String, TableId> topics = topics(findings);
        Admin admin;
        try {
            admin = Admin.create(adminSettings(settings));
        } catch (KafkaException e) {
            findings.error("cannot create a Kafka client: " + KafkaErrors.explain(e, settings::redact),
                    "check bootstrap-servers and the producer settings");
            return findings.list();
        }
        try {
            Optional<Collection<Node>> nodes = checkCluster(admin, settings, findings);
            if (nodes.isEmpty()) {
                findings.skip("topics not checked: no connection to the cluster");
            } else if (tables.isEmpty()) {
                findings.skip("topics not checked: the captured tables are unknown, as PostgreSQL could not be"
                        + " checked");
            } else if (!topics.isEmpty()) {
                checkTopics(admin, settings, topics, nodes.get(), findings);
            }
        } finally {
            // Zero: after a timeout the request is still pending, and waiting for it is what was just given up on.
            admin.close(Duration.ZERO);
        }
        return findings.list();
    }

    private Map<String, Object> adminSettings(ProducerSettings settings) {
        Map<String, Object> admin = new HashMap<>(settings.admin());
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-" + pipeline + "-check");
        admin.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        admin.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return admin;
    }

    /** Each table's topic by name, from the templates; templates or names Kafka would refuse are reported. */
    private Map<String, TableId> topics(Findings findings) {
        Map<String, TopicTemplate> templates = new HashMap<>();
        Set<String> templateNames = new LinkedHashSet<>();
        templateNames.add(config.topic());
        tables.orElse(List.of()).forEach(routed -> templateNames.add(routed.template()));
        for (String template : templateNames) {
            try {
                templates.put(template, TopicTemplate.parse(template));
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the topic template (the sink's topic, or a transform's)");
            }
        }
        Map<String, TableId> topics = new LinkedHashMap<>();
        for (RoutedTable routed : tables.orElse(List.of())) {
            TableId table = routed.shape().table();
            TopicTemplate template = templates.get(routed.template());
            if (template == null) {
                continue;
            }
            try {
                String topic = template.render(table);
                TableId other = topics.putIfAbsent(topic, table);
                if (other != null) {
                    findings.error("tables " + other + " and " + table + " both go to topic '" + topic
                            + "'; records are keyed by primary key only, so their rows would overwrite each other",
                            "give each table a topic of its own (the sink's topic or the transforms' topic templates)");
                }
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the topic template used for " + table);
            }
        }
        return topics;
    }

    /** The cluster's brokers, or empty after reporting why the cluster cannot be used. */
    private Optional<Collection<Node>> checkCluster(Admin admin, ProducerSettings settings, Findings findings)
            throws InterruptedException {
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String clusterId = admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            findings.ok("cluster reachable: " + nodes.size() + " broker(s), cluster id " + clusterId);
            return Optional.of(nodes);
        } catch (TimeoutException e) {
            unreachable(findings);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                // The client's own deadline (default.api.timeout.ms) may end the wait first.
                unreachable(findings);
                return Optional.empty();
            }
            findings.error("cannot use the Kafka cluster: " + KafkaErrors.explain(cause, settings::redact),
                    cause instanceof AuthenticationException
                            ? "check the sink's security settings (security.protocol, sasl.*, ssl.*) under producer"
                            : "check bootstrap-servers and the sink's producer settings");
        }
        return Optional.empty();
    }

    private void unreachable(Findings findings) {
        findings.error("cannot reach the Kafka cluster: no broker answered within " + timeout.toMillis() + " ms",
                "check bootstrap-servers, that the brokers run and that their advertised listeners are reachable"
                        + " from here");
    }

    private void checkTopics(Admin admin, ProducerSettings settings, Map<String, TableId> topics,
            Collection<Node> nodes, Findings findings) throws InterruptedException {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics.keySet(),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        List<String> writable = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean rightsReported = true;
        for (String topic : topics.keySet()) {
            try {
                Set<AclOperation> allowed = described.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .authorizedOperations();
                rightsReported &= allowed != null;
                List<AclOperation> lacking = allowed == null ? List.of()
                        : NEEDED.stream().filter(op -> !allowed.contains(op)).toList();
                if (lacking.isEmpty()) {
                    writable.add(topic);
                } else {
                    findings.error("topic '" + topic + "' exists, but the sink's principal lacks " + lacking
                            + " on it", aclFix(topic));
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                } else {
                    findings.error("cannot describe topic '" + topic + "': "
                            + KafkaErrors.explain(cause, settings::redact),
                            cause instanceof AuthorizationException ? aclFix(topic) : null);
                }
            } catch (TimeoutException e) {
                findings.error("topic '" + topic + "' was not described within " + timeout.toMillis() + " ms", null);
            }
        }
        if (!writable.isEmpty()) {
            findings.ok((writable.size() == 1 ? "topic " : "topics ") + String.join(", ", writable) + " exist"
                    + (writable.size() == 1 ? "s" : "") + (rightsReported ? "; the principal may write"
                            : " (the broker does not report rights)"));
        }
        if (!missing.isEmpty()) {
            checkCreatable(admin, settings, missing, nodes, findings);
        }
    }

    /** Missing topics: can they be created, and will the broker create them when the producer first writes? */
    private void checkCreatable(Admin admin, ProducerSettings settings, List<String> missing, Collection<Node> nodes,
            Findings findings) throws InterruptedException {
        List<NewTopic> requests = missing.stream()
                .map(topic -> new NewTopic(topic, Optional.empty(), Optional.empty())).toList();
        Map<String, KafkaFuture<Void>> created = admin.createTopics(requests,
                new CreateTopicsOptions().validateOnly(true)).values();
        List<String> creatable = new ArrayList<>();
        for (String topic : missing) {
            try {
                created.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                creatable.add(topic);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof TopicExistsException) {
                    findings.ok("topic '" + topic + "' was created meanwhile");
                    continue;
                }
                findings.error("topic '" + topic + "' does not exist and cannot be created: "
                        + KafkaErrors.explain(cause, settings::redact),
                        cause instanceof AuthorizationException
                                ? createFix(List.of(topic)) + ", or grant the principal CREATE on it"
                                : createFix(List.of(topic)));
            } catch (TimeoutException e) {
                findings.error("creating topic '" + topic + "' was not validated within " + timeout.toMillis() + " ms",
                        null);
            }
        }
        if (creatable.isEmpty()) {
            return;
        }
        String names = String.join(", ", creatable);
        String doNot = creatable.size() == 1 ? "topic " + names + " does not" : "topics " + names + " do not";
        Optional<String> autoCreate = brokerSetting(admin, nodes, AUTO_CREATE);
        if (autoCreate.isEmpty()) {
            findings.warn(doNot + " exist yet; the principal may create " + (creatable.size() == 1 ? "it" : "them")
                    + ", but whether the broker creates topics on the first write is unknown (" + AUTO_CREATE
                    + " could not be read)", createFix(creatable));
        } else if (Boolean.parseBoolean(autoCreate.get())) {
            findings.ok(doNot + " exist yet; the broker creates " + (creatable.size() == 1 ? "it" : "them")
                    + " on the first write (" + AUTO_CREATE + "=true)");
        } else {
            findings.error(doNot + " exist, and the broker does not create topics on write (" + AUTO_CREATE
                    + "=false)", createFix(creatable));
        }
    }

    /** A broker setting as the first broker that answers reports it; empty when no broker lets the principal ask. */
    private Optional<String> brokerSetting(Admin admin, Collection<Node> nodes, String name)
            throws InterruptedException {
        for (Node node : nodes) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            try {
                Config config = admin.describeConfigs(List.of(broker)).all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(broker);
                ConfigEntry entry = config == null ? null : config.get(name);
                if (entry != null && entry.value() != null) {
                    return Optional.of(entry.value());
                }
            } catch (ExecutionException | TimeoutException e) {
                // Not allowed, or no answer: the next broker may answer.
            }
        }
        return Optional.empty();
    }

    private String createFix(List<String> topics) {
        return "create " + (topics.size() == 1 ? "it" : "them") + ": kafka-topics.sh --bootstrap-server "
                + config.bootstrapServers() + " --create --topic " + topics.get(0)
                + (topics.size() == 1 ? "" : " (and likewise for the others)");
    }

    private String aclFix(String topic) {
        return "kafka-acls.sh --bootstrap-server " + config.bootstrapServers()
                + " --add --allow-principal User:<the sink's principal> --operation Write --operation Describe"
                + " --topic " + topic;
    }
}
