package io.sluice.offsets.kafka;

import io.sluice.engine.offset.OffsetStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of one {@link KafkaOffsetStore}, read from those {@code OffsetStores.settings} made: where the topic
 * is, and the producer, consumer and admin client settings, which are Sluice's defaults with every {@code client}
 * entry on top, except those that would break the store's guarantees, which are refused.
 *
 * <p>Keys: {@code bootstrap-servers}, {@code topic}, {@code replication-factor} (optional), {@code timeout-ms}
 * (optional, default {@value #DEFAULT_TIMEOUT_MS}: how long one save, load or topic check may take), and
 * {@code client.<kafka-clients key>}. Holds credentials: no {@code toString} with values; {@link #redact} masks them
 * in any text that may echo one.
 */
final class KafkaStoreSettings {
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    static final String CLIENT_PREFIX = "client.";

    /** Below this length a value is not worth hiding and masking it would garble messages (e.g. {@code 5}). */
    private static final int MIN_SECRET_LENGTH = 4;
    private static final String MASK = "******";
    private static final Set<String> PRODUCER_KEYS = ProducerConfig.configNames();
    private static final Set<String> CONSUMER_KEYS = ConsumerConfig.configNames();
    private static final Set<String> ADMIN_KEYS = AdminClientConfig.configNames();
    private static final List<ConfigDef> DEFINITIONS = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
            AdminClientConfig.configDef());

    private final String bootstrapServers;
    private final String topic;
    private final Optional<Short> replicationFactor;
    private final Duration timeout;
    private final Map<String, Object> producer;
    private final Map<String, Object> consumer;
    private final Map<String, Object> admin;
    private final List<String> secrets;

    private KafkaStoreSettings(String bootstrapServers, String topic, Optional<Short> replicationFactor,
            Duration timeout, Map<String, String> overrides) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
        String requestTimeout = Long.toString(Math.max(1, timeout.toMillis() / 2));
        String wholeTimeout = Long.toString(timeout.toMillis());

        Map<String, Object> producer = new LinkedHashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-offsets");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // The producer gives up on a record by itself within the store's timeout, so a save fails with Kafka's own
        // reason rather than with the store's impatience; request timeout below it so one retry fits in.
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, wholeTimeout);
        producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, wholeTimeout);

        Map<String, Object> consumer = new LinkedHashMap<>();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-offsets-reader");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        // Partitions are assigned, not subscribed: no group, nothing committed.
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, wholeTimeout);
        consumer.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);

        Map<String, Object> admin = new LinkedHashMap<>();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-offsets-admin");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, wholeTimeout);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);

        // Each client gets the settings it knows; settings none of them knows (plugin settings) go to all three.
        overrides.forEach((key, value) -> {
            boolean known = PRODUCER_KEYS.contains(key) || CONSUMER_KEYS.contains(key) || ADMIN_KEYS.contains(key);
            if (!known || PRODUCER_KEYS.contains(key)) {
                producer.put(key, value);
            }
            if (!known || CONSUMER_KEYS.contains(key)) {
                consumer.put(key, value);
            }
            if (!known || ADMIN_KEYS.contains(key)) {
                admin.put(key, value);
            }
        });
        this.producer = Collections.unmodifiableMap(producer);
        this.consumer = Collections.unmodifiableMap(consumer);
        this.admin = Collections.unmodifiableMap(admin);

        List<String> secrets = new ArrayList<>();
        overrides.forEach((key, value) -> {
            if (value.length() >= MIN_SECRET_LENGTH && maySecret(key)) {
                secrets.add(value);
            }
        });
        // Longest first, so a secret containing another is masked whole.
        secrets.sort((a, b) -> Integer.compare(b.length(), a.length()));
        this.secrets = List.copyOf(secrets);
    }

    /**
     * Reads the settings.
     *
     * @throws OffsetStoreException listing every missing or refused setting, refused ones by key only
     */
    static KafkaStoreSettings from(Map<String, String> settings) throws OffsetStoreException {
        List<String> problems = new ArrayList<>();
        String bootstrapServers = settings.get("bootstrap-servers");
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("bootstrap-servers is required");
        }
        String topic = settings.get("topic");
        if (topic == null || topic.isBlank()) {
            problems.add("topic is required");
        }
        Optional<Short> replicationFactor = Optional.empty();
        String factor = settings.get("replication-factor");
        if (factor != null) {
            try {
                replicationFactor = Optional.of(Short.parseShort(factor.strip()));
            } catch (NumberFormatException e) {
                problems.add("replication-factor must be a whole number, not '" + factor + "'");
            }
        }
        Duration timeout = Duration.ofMillis(DEFAULT_TIMEOUT_MS);
        String timeoutMillis = settings.get("timeout-ms");
        if (timeoutMillis != null) {
            try {
                timeout = Duration.ofMillis(Long.parseLong(timeoutMillis.strip()));
            } catch (NumberFormatException e) {
                problems.add("timeout-ms must be a number of milliseconds, not '" + timeoutMillis + "'");
            }
        }
        Map<String, String> overrides = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(CLIENT_PREFIX)) {
                String clientKey = key.substring(CLIENT_PREFIX.length());
                String problem = refusal(clientKey, value.strip());
                if (problem == null) {
                    overrides.put(clientKey, value);
                } else {
                    problems.add("client setting '" + clientKey + "' " + problem);
                }
            }
        });
        if (!problems.isEmpty()) {
            throw new OffsetStoreException("the kafka offset store's settings are not usable: "
                    + String.join("; ", problems));
        }
        return new KafkaStoreSettings(bootstrapServers, topic, replicationFactor, timeout, overrides);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String topic() {
        return topic;
    }

    /** The replication factor for a topic this store creates; empty = the broker's default. */
    Optional<Short> replicationFactor() {
        return replicationFactor;
    }

    /** How long one save, one load, or the topic check on open may take. */
    Duration timeout() {
        return timeout;
    }

    /** Settings for the producer. Holds secrets: never log or print it. */
    Map<String, Object> producer() {
        return producer;
    }

    /** Settings for the consumer that loads offsets. Holds secrets: never log or print it. */
    Map<String, Object> consumer() {
        return consumer;
    }

    /** Settings for the admin client that checks and creates the topic. Holds secrets: never log or print it. */
    Map<String, Object> admin() {
        return admin;
    }

    /** The text with every secret setting value masked. */
    String redact(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    /** Why an override cannot be accepted, or {@code null} when it can. */
    private static String refusal(String key, String value) {
        return switch (key) {
            case ProducerConfig.ACKS_CONFIG -> value.equals("all") || value.equals("-1") ? null
                    : "must be 'all' (or '-1'): offsets count as saved only once every in-sync replica has them";
            case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG -> value.equalsIgnoreCase("true") ? null
                    : "must be 'true': without idempotence a retried save could be written twice or out of order";
            case ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG ->
                    "cannot be set: the store writes and reads keys and values as bytes itself";
            case ProducerConfig.TRANSACTIONAL_ID_CONFIG ->
                    "cannot be set: the store writes with the idempotent producer, not with transactions";
            case ProducerConfig.BOOTSTRAP_SERVERS_CONFIG -> "cannot be set here: use bootstrap-servers";
            default -> null;
        };
    }

    /** Passwords by any client's own definition, and anything no client knows (plugin settings may be keys). */
    private static boolean maySecret(String key) {
        boolean known = false;
        for (ConfigDef definition : DEFINITIONS) {
            ConfigDef.ConfigKey configKey = definition.configKeys().get(key);
            if (configKey != null) {
                known = true;
                if (configKey.type == ConfigDef.Type.PASSWORD) {
                    return true;
                }
            }
        }
        return !known;
    }
}
