package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ByteSize;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.source.HeartbeatConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.PostgresTlsConfig;
import io.sluice.config.source.PublicationMode;
import io.sluice.config.source.SslMode;
import io.sluice.engine.offset.PipelineId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumPropertiesTest {
    private static final PipelineId PIPELINE = new PipelineId("orders");

    @Test
    void heartbeatIntervalAndQueryReachDebezium() {
        Properties p = build(new HeartbeatConfig(Duration.ofSeconds(5), "SELECT 1"), null);

        assertThat(p).containsEntry("heartbeat.interval.ms", "5000").containsEntry("heartbeat.action.query", "SELECT 1");
    }

    @Test
    void zeroIntervalTurnsHeartbeatsAndTheirQueryOff() {
        Properties p = build(new HeartbeatConfig(Duration.ZERO, "SELECT 1"), null);

        assertThat(p).containsEntry("heartbeat.interval.ms", "0").doesNotContainKey("heartbeat.action.query");
    }

    @Test
    void defaultHeartbeatHasNoQuery() {
        Properties p = build(HeartbeatConfig.DEFAULT, null);

        assertThat(p).containsEntry("heartbeat.interval.ms", "10000").doesNotContainKey("heartbeat.action.query");
    }

    @Test
    void signalTableIsReadFromTheWalAsSchemaDotTable() {
        Properties p = build(HeartbeatConfig.DEFAULT, "public.sluice_signal");

        assertThat(p).containsEntry("signal.data.collection", "public.sluice_signal")
                .containsEntry("signal.enabled.channels", "source")
                .containsEntry("incremental.snapshot.chunk.size", "1024")
                .containsEntry("incremental.snapshot.watermarking.strategy", "insert_insert");
        assertThat(DebeziumProperties.tableTopic(PIPELINE, "public.sluice_signal"))
                .isEqualTo("orders.public.sluice_signal");
    }

    @Test
    void debeziumsQueueIsBoundedInRecordsAndInBytes() {
        Properties p = build(HeartbeatConfig.DEFAULT, null);

        assertThat(p).containsEntry("max.queue.size", "8192").containsEntry("max.batch.size", "2048")
                .containsEntry("max.queue.size.in.bytes", Long.toString(8L * 1024 * 1024));
    }

    @Test
    void withoutSignalTableNoSignalChannelIsSet() {
        assertThat(build(HeartbeatConfig.DEFAULT, null)).doesNotContainKeys("signal.data.collection",
                "signal.enabled.channels");
    }

    @Test
    void sourceOptionsReachDebezium() {
        PostgresSourceConfig source = new PostgresSourceConfig("localhost", 5432, "shop", "sluice", null,
                "orders_slot", "orders_pub", List.of("public.shop_*"), null, null,
                List.of("public.customers.ssn", "*.*.password"), PublicationMode.NEVER,
                new PostgresTlsConfig(SslMode.VERIFY_FULL, Path.of("/etc/ca.pem")), null, null, null, null, null,
                null, null);

        Properties p = DebeziumProperties.build(PIPELINE, source, List.of("public.shop_orders", "public.shop_x"),
                new FileOffsetStoreConfig(Path.of("orders.offsets")));

        assertThat(p).containsEntry("table.include.list", "\\Qpublic.shop_orders\\E,\\Qpublic.shop_x\\E")
                .containsEntry("column.exclude.list", "\\Qpublic.customers.ssn\\E,\\Q\\E.*\\Q.\\E.*\\Q.password\\E")
                .containsEntry("publication.autocreate.mode", "disabled")
                .containsEntry("database.sslmode", "verify-full")
                .containsEntry("database.sslrootcert", "/etc/ca.pem")
                .doesNotContainKey("column.include.list");
        assertThat("public.orders.password").matches(p.getProperty("column.exclude.list").split(",")[1]);
    }

    private static Properties build(HeartbeatConfig heartbeat, String signalTable) {
        PostgresSourceConfig source = new PostgresSourceConfig("localhost", 5432, "shop", "sluice", null,
                "orders_slot", "orders_pub", List.of("public.orders"), null, null, null, null, null, null, null, null,
                null, heartbeat, ByteSize.ofBytes(1 << 20), signalTable);
        return DebeziumProperties.build(PIPELINE, source, source.tables(),
                new FileOffsetStoreConfig(Path.of("orders.offsets")));
    }
}
