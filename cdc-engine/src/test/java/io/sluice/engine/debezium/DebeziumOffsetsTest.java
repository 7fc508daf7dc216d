package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebeziumOffsetsTest {
    private static final PipelineId SHOP = new PipelineId("shop");
    /** Written by Debezium 3.6 for pipeline 'shop' while streaming. */
    private static final String KEY = "[\"sluice-shop\",{\"server\":\"shop\"}]";
    private static final String STREAMING = "{\"lsn_proc\":26365256,\"messageType\":\"COMMIT\",\"lsn_commit\":26365256,"
            + "\"lsn\":26365256,\"txId\":730,\"ts_usec\":1795333492064134}";

    @Test
    void readsTheFieldsDebeziumStoresWhileStreaming() throws Exception {
        StoredPosition position = DebeziumOffsets.read(SHOP, new SourceOffsets(Map.of(KEY, STREAMING))).orElseThrow();

        assertThat(position.key()).isEqualTo(KEY);
        assertThat(position.value()).isEqualTo(STREAMING);
        assertThat(position.lsn()).isEqualTo(26365256L);
        assertThat(position.processedLsn()).isEqualTo(26365256L);
        assertThat(position.commitLsn()).isEqualTo(26365256L);
        assertThat(position.txId()).isEqualTo(730L);
        assertThat(position.sourceTime()).isEqualTo(Instant.parse("2026-11-22T07:44:52.064134Z"));
        assertThat(position.snapshotInProgress()).isFalse();
        assertThat(position.resumeLsn()).isEqualTo(26365256L);
    }

    @Test
    void afterASnapshotOnlyLsnIsStoredAndStreamingResumesThere() throws Exception {
        String afterSnapshot = "{\"lsn\":26364856,\"txId\":728,\"ts_usec\":1795333482536686}";

        StoredPosition position = DebeziumOffsets.read(SHOP, new SourceOffsets(Map.of(KEY, afterSnapshot)))
                .orElseThrow();

        assertThat(position.processedLsn()).isNull();
        assertThat(position.commitLsn()).isNull();
        assertThat(position.resumeLsn()).isEqualTo(26364856L);
        assertThat(position.snapshotInProgress()).isFalse();
    }

    @Test
    void anInterruptedInitialSnapshotIsReportedAsInProgress() throws Exception {
        String during = "{\"last_snapshot_record\":false,\"lsn\":26364856,\"txId\":728,\"ts_usec\":1795333482536686,"
                + "\"snapshot\":\"INITIAL\",\"snapshot_completed\":false}";
        String lastRecord = during.replace("\"last_snapshot_record\":false", "\"last_snapshot_record\":true");
        String incremental = "{\"lsn\":26364856,\"snapshot\":\"INCREMENTAL\",\"snapshot_completed\":true}";

        assertThat(read(during).snapshotInProgress()).isTrue();
        assertThat(read(during).snapshot()).isEqualTo("INITIAL");
        assertThat(read(lastRecord).snapshotInProgress()).isFalse();
        assertThat(read(incremental).snapshotInProgress()).isFalse();
    }

    @Test
    void findsThePipelinesEntryHoweverItsKeyIsSpacedAndIgnoresOthers() throws Exception {
        String spaced = "[ \"sluice-shop\", { \"server\" : \"shop\" } ]";
        SourceOffsets offsets = new SourceOffsets(Map.of(spaced, STREAMING,
                "[\"sluice-other\",{\"server\":\"other\"}]", "{\"lsn\":1}"));

        assertThat(DebeziumOffsets.read(SHOP, offsets).orElseThrow().key()).isEqualTo(spaced);
        assertThat(DebeziumOffsets.read(new PipelineId("billing"), offsets)).isEmpty();
        assertThat(DebeziumOffsets.read(SHOP, SourceOffsets.none())).isEmpty();
    }

    @Test
    void anEntryThatIsNotDebeziumsJsonIsAnErrorNamingThePipeline() {
        assertThatThrownBy(() -> read("not json")).isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining("pipeline 'shop'").hasMessageContaining("not JSON");
        assertThatThrownBy(() -> read("{\"txId\":5}")).isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining("pipeline 'shop'").hasMessageContaining("no LSN");
    }

    @Test
    void anOffsetAtAnLsnSetsEveryPositionDebeziumResumesFromUnderTheSameKey() throws Exception {
        SourceOffsets other = new SourceOffsets(Map.of("[\"sluice-other\",{\"server\":\"other\"}]", "{\"lsn\":1}"));

        SourceOffsets fresh = DebeziumOffsets.at(SHOP, other, 0x16B374D848L);
        StoredPosition written = DebeziumOffsets.read(SHOP, fresh).orElseThrow();

        assertThat(written.key()).isEqualTo(KEY);
        assertThat(written.lsn()).isEqualTo(0x16B374D848L);
        assertThat(written.processedLsn()).isEqualTo(0x16B374D848L);
        assertThat(written.commitLsn()).isEqualTo(0x16B374D848L);
        assertThat(written.txId()).isNull();
        assertThat(written.snapshotInProgress()).isFalse();
        assertThat(fresh.entries()).containsAllEntriesOf(other.entries()).hasSize(2);

        String spaced = "[ \"sluice-shop\", { \"server\" : \"shop\" } ]";
        SourceOffsets replaced = DebeziumOffsets.at(SHOP, new SourceOffsets(Map.of(spaced, STREAMING)), 42);
        assertThat(replaced.entries()).containsOnlyKeys(spaced);
        assertThat(DebeziumOffsets.read(SHOP, replaced).orElseThrow().resumeLsn()).isEqualTo(42);
    }

    @Test
    void theKeyIsTheOneDebeziumWrites() {
        assertThat(DebeziumOffsets.key(SHOP)).isEqualTo(KEY);
    }

    @Test
    void clearingRemovesOnlyThePipelinesEntry() {
        String otherKey = "[\"sluice-other\",{\"server\":\"other\"}]";
        SourceOffsets offsets = new SourceOffsets(Map.of(KEY, STREAMING, otherKey, "{\"lsn\":1}"));

        assertThat(DebeziumOffsets.cleared(SHOP, offsets).entries()).containsOnlyKeys(otherKey);
        assertThat(DebeziumOffsets.cleared(SHOP, new SourceOffsets(Map.of(KEY, STREAMING))).isEmpty()).isTrue();
        assertThat(DebeziumOffsets.cleared(SHOP, SourceOffsets.none()).isEmpty()).isTrue();
    }

    private static StoredPosition read(String value) throws OffsetStoreException {
        return DebeziumOffsets.read(SHOP, new SourceOffsets(Map.of(KEY, value))).orElseThrow();
    }
}
