package io.sluice.engine.offset;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetStoresTest {

    @Test
    void jdbcStoreWithoutUrlUsesTheSourceDatabaseAndRole() throws Exception {
        PipelineConfig pipeline = pipeline("jdbc: {schema: sluice_meta}");

        Map<String, String> settings = settings(pipeline);

        assertThat(settings).containsExactly(
                Map.entry("url", "jdbc:postgresql://db.example:6432/shop"),
                Map.entry("user", "sluice"),
                Map.entry("password", "s3cret-pw"),
                Map.entry("schema", "sluice_meta"),
                Map.entry("table", "sluice_offsets"),
                Map.entry("connect-timeout-ms", "7000"));
    }

    @Test
    void jdbcStoreWithUrlUsesItsOwnRoleAndNotTheSources() throws Exception {
        PipelineConfig pipeline = pipeline("""
                jdbc:
                  url: jdbc:postgresql://meta:5432/offsets
                  user: keeper
                  password: keeper-pw
                  table: offsets""");

        Map<String, String> settings = settings(pipeline);

        assertThat(settings).containsEntry("url", "jdbc:postgresql://meta:5432/offsets")
                .containsEntry("user", "keeper")
                .containsEntry("password", "keeper-pw")
                .containsEntry("schema", "public")
                .containsEntry("table", "offsets");
    }

    @Test
    void jdbcStoreWithUrlAndNoPasswordPassesNone() throws Exception {
        PipelineConfig pipeline = pipeline("jdbc: {url: 'jdbc:postgresql://meta:5432/offsets'}");

        assertThat(settings(pipeline)).doesNotContainKeys("user", "password");
    }

    @Test
    void kafkaStorePassesClientSettingsUnderTheirOwnPrefix() throws Exception {
        PipelineConfig pipeline = pipeline("""
                kafka:
                  bootstrap-servers: k1:9092,k2:9092
                  replication-factor: 3
                  client:
                    security.protocol: SASL_SSL
                    sasl.mechanism: PLAIN""");

        assertThat(settings(pipeline)).containsExactly(
                Map.entry("bootstrap-servers", "k1:9092,k2:9092"),
                Map.entry("topic", "sluice-offsets"),
                Map.entry("replication-factor", "3"),
                Map.entry("client.sasl.mechanism", "PLAIN"),
                Map.entry("client.security.protocol", "SASL_SSL"));
    }

    @Test
    void kafkaStoreWithoutReplicationFactorLeavesItToTheBroker() throws Exception {
        assertThat(settings(pipeline("kafka: {bootstrap-servers: 'k1:9092', topic: offsets}")))
                .containsOnlyKeys("bootstrap-servers", "topic");
    }

    private static Map<String, String> settings(PipelineConfig pipeline) {
        return OffsetStores.settings(pipeline.offsets(), pipeline.source().postgres());
    }

    private static PipelineConfig pipeline(String offsets) throws Exception {
        String yaml = """
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: db.example
                        port: 6432
                        database: shop
                        user: sluice
                        password: s3cret-pw
                        slot: orders_slot
                        publication: orders_pub
                        tables: [public.orders]
                        connect-timeout: 7s
                    sinks:
                      - kafka:
                          bootstrap-servers: localhost:9092
                    offsets:
                %s
                """.formatted(offsets.indent(8).stripTrailing());
        return new ConfigLoader(variable -> null).load(yaml, "test.yaml").pipelines().get(0);
    }
}
