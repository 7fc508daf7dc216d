package io.sluice.offsets.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.offset.OffsetStoreException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaStoreSettingsTest {

    @Test
    void producerWaitsForEveryReplicaAndIsIdempotent() throws OffsetStoreException {
        KafkaStoreSettings settings = KafkaStoreSettings.from(base());

        assertThat(settings.producer()).containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("bootstrap.servers", "k1:9092")
                .containsEntry("delivery.timeout.ms", "10000")
                .containsEntry("max.block.ms", "10000");
        assertThat(settings.consumer()).containsEntry("enable.auto.commit", "false").doesNotContainKey("group.id");
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.replicationFactor()).isEmpty();
    }

    @Test
    void timeoutBoundsEveryClientWait() throws OffsetStoreException {
        Map<String, String> map = base();
        map.put("timeout-ms", "3000");
        map.put("replication-factor", "3");

        KafkaStoreSettings settings = KafkaStoreSettings.from(map);

        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.producer()).containsEntry("delivery.timeout.ms", "3000")
                .containsEntry("request.timeout.ms", "1500");
        assertThat(settings.consumer()).containsEntry("default.api.timeout.ms", "3000");
        assertThat(settings.admin()).containsEntry("default.api.timeout.ms", "3000");
        assertThat(settings.replicationFactor()).contains((short) 3);
    }

    @Test
    void clientSettingsReachTheClientsThatKnowThem() throws OffsetStoreException {
        Map<String, String> map = base();
        map.put("client.security.protocol", "SASL_SSL");
        map.put("client.compression.type", "lz4");
        map.put("client.fetch.min.bytes", "1");
        map.put("client.my.plugin.setting", "x");

        KafkaStoreSettings settings = KafkaStoreSettings.from(map);

        assertThat(settings.producer()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("compression.type", "lz4").doesNotContainKey("fetch.min.bytes")
                .containsEntry("my.plugin.setting", "x");
        assertThat(settings.consumer()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("fetch.min.bytes", "1").doesNotContainKey("compression.type")
                .containsEntry("my.plugin.setting", "x");
        assertThat(settings.admin()).containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKeys("compression.type", "fetch.min.bytes")
                .containsEntry("my.plugin.setting", "x");
    }

    @Test
    void overridesThatBreakTheGuaranteesAreRefusedByKeyWithoutTheirValues() {
        Map<String, String> map = base();
        map.put("client.acks", "1");
        map.put("client.enable.idempotence", "false");
        map.put("client.value.serializer", "org.example.Secretive");
        map.put("client.key.deserializer", "org.example.Other");
        map.put("client.transactional.id", "tx");
        map.put("client.bootstrap.servers", "elsewhere:9092");

        assertThatThrownBy(() -> KafkaStoreSettings.from(map))
                .isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining("'acks' must be 'all'")
                .hasMessageContaining("'enable.idempotence' must be 'true'")
                .hasMessageContaining("'value.serializer' cannot be set")
                .hasMessageContaining("'key.deserializer' cannot be set")
                .hasMessageContaining("'transactional.id' cannot be set")
                .hasMessageContaining("'bootstrap.servers' cannot be set here")
                .message().doesNotContain("org.example.Secretive", "elsewhere:9092");
    }

    @Test
    void harmlessSpellingsOfTheGuaranteesAreAccepted() throws OffsetStoreException {
        Map<String, String> map = base();
        map.put("client.acks", "-1");
        map.put("client.enable.idempotence", "TRUE");

        assertThat(KafkaStoreSettings.from(map).producer()).containsEntry("acks", "-1");
    }

    @Test
    void secretValuesAreMaskedInTextButOrdinaryValuesAreNot() throws OffsetStoreException {
        Map<String, String> map = base();
        map.put("client.sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"hunter22\";");
        map.put("client.ssl.truststore.password", "trust-pw");
        map.put("client.security.protocol", "SASL_SSL");

        KafkaStoreSettings settings = KafkaStoreSettings.from(map);

        assertThat(settings.redact("bad trust-pw and PlainLoginModule required username=\"u\" password=\"hunter22\";"
                + " over SASL_SSL")).isEqualTo("bad ****** and ****** over SASL_SSL");
    }

    @Test
    void missingServersAndTopicAreReportedTogether() {
        assertThatThrownBy(() -> KafkaStoreSettings.from(Map.of("replication-factor", "three")))
                .isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining("bootstrap-servers is required")
                .hasMessageContaining("topic is required")
                .hasMessageContaining("replication-factor must be a whole number");
    }

    private static Map<String, String> base() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("bootstrap-servers", "k1:9092");
        map.put("topic", "sluice-offsets");
        return map;
    }
}
