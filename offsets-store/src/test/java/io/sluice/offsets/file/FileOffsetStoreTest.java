package io.sluice.offsets.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOffsetStoreTest {
    private static final PipelineId ORDERS = new PipelineId("orders");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void loadsWhatWasSavedLast() throws Exception {
        Path file = dir.resolve("data/orders.offsets");
        FileOffsetStore store = new FileOffsetStore(file, CLOCK);
        store.save(ORDERS, new SourceOffsets(Map.of("[\"sluice-orders\",{\"server\":\"orders\"}]", "{\"lsn\":1}")));
        store.save(ORDERS, new SourceOffsets(Map.of("[\"sluice-orders\",{\"server\":\"orders\"}]", "{\"lsn\":2}")));

        SourceOffsets loaded = new FileOffsetStore(file, CLOCK).load(ORDERS);

        assertThat(loaded.entries()).containsExactly(
                Map.entry("[\"sluice-orders\",{\"server\":\"orders\"}]", "{\"lsn\":2}"));
        assertThat(Files.readString(file)).contains("\"pipeline\" : \"orders\"", "2026-11-22T10:00:00Z");
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void missingFileMeansNoOffsetsYet() throws Exception {
        assertThat(new FileOffsetStore(dir.resolve("none.offsets"), CLOCK).load(ORDERS).isEmpty()).isTrue();
    }

    @Test
    void damagedFileIsReportedWithItsPathAndTheWayOut() throws Exception {
        Path file = dir.resolve("orders.offsets");
        Files.writeString(file, "{\"pipeline\":\"orders\",\"offsets\":{");

        assertThatThrownBy(() -> new FileOffsetStore(file, CLOCK).load(ORDERS))
                .isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("remove it to start over");
    }

    @Test
    void fileOfAnotherPipelineIsRefused() throws Exception {
        Path file = dir.resolve("shared.offsets");
        new FileOffsetStore(file, CLOCK).save(new PipelineId("customers"), new SourceOffsets(Map.of("k", "v")));

        assertThatThrownBy(() -> new FileOffsetStore(file, CLOCK).load(ORDERS))
                .isInstanceOf(OffsetStoreException.class)
                .hasMessageContaining("belongs to pipeline 'customers'");
    }
}
