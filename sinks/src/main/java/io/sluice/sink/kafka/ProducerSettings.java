package io.sluice.sink.kafka;

import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.engine.sink.SinkException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client settings of one Kafka sink: Sluice's defaults, then every {@code producer} entry of the config on top,
 * except those that would break the sink's guarantees, which are refused.
 *
 * <p>Holds credentials, so it has no {@code toString} with values and offers {@link #redact} for any text that may
 * echo one.
 */
final class ProducerSettings {
    /** Below this length a value is not worth hiding and replacing it would garble messages (e.g. {@code 5}). */
    private static final int MIN_SECRET_LENGTH = 4;
    private static final String MASK = "******";
    private static final ConfigDef PRODUCER_DEF = ProducerConfig.configDef();

    private final Map<String, Object> producer;
    private final Map<String, Object> admin;
    private final Set<String> overrideKeys;
    private final List<String> secrets;

    private ProducerSettings(Map<String, Object> producer, Map<String, Object> admin, Set<String> overrideKeys,
            List<String> secrets) {
        this.producer = producer;
        this.admin = admin;
        this.overrideKeys = overrideKeys;
        this.secrets = secrets;
    }

    /**
     * Builds the settings.
     *
     * @param where names the pipeline and sink in error messages, e.g. {@code pipeline 'orders', sink kafka (...)}
     * @throws SinkException listing every refused override, by key (values are never shown)
     */
    static ProducerSettings of(String clientId, KafkaSinkConfig config, String where) throws SinkException {
        return of(clientId, config.bootstrapServers(), config.producer(), where);
    }

    /**
     * Builds the settings of a producer with Sluice's guarantees (the dead-letter producer's, too).
     *
     * @param producer the {@code producer} entries of the config
     * @throws SinkException listing every refused override, by key (values are never shown)
     */
    static ProducerSettings of(String clientId, String bootstrapServers, Map<String, String> producer, String where)
            throws SinkException {
        List<String> problems = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("bootstrapServers is required");
        }
        Map<String, String> overrides = new TreeMap<>(producer);
        overrides.forEach((key, value) -> {
            String problem = refusal(key, value.strip());
            if (problem != null) {
                problems.add("producer setting '" + key + "' " + problem);
            }
        });
        if (!problems.isEmpty()) {
            throw new SinkException(where + ": " + String.join("; ", problems));
        }

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Five is the most the idempotent producer allows while still keeping each partition in order.
        settings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // write() ends with flush(), which sends regardless of linger; a short linger lets the records of a large
        // batch fill fuller requests while they are still being handed to the producer.
        settings.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // 256 KiB per partition batch instead of 16: fewer, larger compressed batches cost the producer and the broker
        // less per record (about 7% less CPU per event in bench/README.md); buffer.memory still bounds the total.
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        // JSON compresses well and lz4 is cheap on the CPU; lz4-java ships with kafka-clients.
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Bounds how long one write can wait for an acknowledgement before the event is reported as retriable.
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        settings.putAll(overrides);

        Map<String, Object> admin = new LinkedHashMap<>();
        Set<String> adminKeys = AdminClientConfig.configNames();
        settings.forEach((key, value) -> {
            if (adminKeys.contains(key)) {
                admin.put(key, value);
            }
        });

        List<String> secrets = new ArrayList<>();
        overrides.forEach((key, value) -> {
            if (value.length() >= MIN_SECRET_LENGTH && maySecret(key)) {
                secrets.add(value);
            }
        });
        // Longest first, so a secret containing another is masked whole.
        secrets.sort((a, b) -> Integer.compare(b.length(), a.length()));

        return new ProducerSettings(Collections.unmodifiableMap(settings), Collections.unmodifiableMap(admin),
                Collections.unmodifiableSet(new TreeSet<>(overrides.keySet())), List.copyOf(secrets));
    }

    /** Settings for the producer. Holds secrets: never log or print it. */
    Map<String, Object> producer() {
        return producer;
    }

    /** The subset an admin client understands (connection and security), for the reachability check. */
    Map<String, Object> admin() {
        return admin;
    }

    /**
     * Settings for a consumer of the same cluster (connection and security from these settings) that reads whole
     * records as bytes, commits only by hand, starts at the earliest record where its group has committed nothing,
     * and never creates topics. Holds secrets: never log or print it.
     */
    Map<String, Object> consumer(String groupId) {
        Map<String, Object> consumer = new LinkedHashMap<>();
        Set<String> consumerKeys = ConsumerConfig.configNames();
        producer.forEach((key, value) -> {
            if (consumerKeys.contains(key)) {
                consumer.put(key, value);
            }
        });
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, producer.get(ProducerConfig.CLIENT_ID_CONFIG) + "-reader");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return Collections.unmodifiableMap(consumer);
    }

    /** Keys of the settings the config gave, sorted: safe to show. */
    Set<String> overrideKeys() {
        return overrideKeys;
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
                    : "must be 'all' (or '-1'): an event counts as delivered only once every in-sync replica has it";
            case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG -> value.equalsIgnoreCase("true") ? null
                    : "must be 'true': without idempotence a retried send can duplicate or reorder records of a row";
            case ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION -> isBetween(value, 1, 5) ? null
                    : "must be a whole number from 1 to 5: more would let the idempotent producer reorder records";
            case ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG ->
                    "cannot be set: the sink writes keys and values as JSON bytes itself";
            case ProducerConfig.TRANSACTIONAL_ID_CONFIG ->
                    "cannot be set: the sink writes with the idempotent producer, not with transactions";
            case ProducerConfig.BOOTSTRAP_SERVERS_CONFIG -> "cannot be set here: use the sink's bootstrapServers";
            default -> null;
        };
    }

    private static boolean isBetween(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            return n >= min && n <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Passwords by the producer's own definition, and anything it does not know (plugin settings may be keys). */
    private static boolean maySecret(String key) {
        ConfigDef.ConfigKey known = PRODUCER_DEF.configKeys().get(key);
        return known == null || known.type == ConfigDef.Type.PASSWORD;
    }
}
