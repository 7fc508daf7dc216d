package io.sluice.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetDocumentTest {
    private static final PipelineId ORDERS = new PipelineId("orders");
    private static final Instant SAVED = Instant.parse("2026-11-22T10:15:30Z");
    private static final SourceOffsets OFFSETS = new SourceOffsets(Map.of(
            "[\"sluice-orders\",{\"server\":\"orders\"}]", "{\"lsn\":24023128,\"txId\":771}",
            "[\"sluice-orders\",{\"server\":\"other\"}]", "{\"lsn\":5}"));

    @Test
    void oneLineDocumentNamesPipelineTimeAndSortedOffsets() {
        String json = new String(OffsetDocument.of(ORDERS, SAVED, OFFSETS).toJson(), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"pipeline\":\"orders\",\"saved_at\":\"2026-11-22T10:15:30Z\",\"offsets\":{"
                + "\"[\\\"sluice-orders\\\",{\\\"server\\\":\\\"orders\\\"}]\":\"{\\\"lsn\\\":24023128,\\\"txId\\\":771}\","
                + "\"[\\\"sluice-orders\\\",{\\\"server\\\":\\\"other\\\"}]\":\"{\\\"lsn\\\":5}\"}}");
    }

    @Test
    void bothLayoutsReadBackToTheSameDocument() throws IOException {
        OffsetDocument document = OffsetDocument.of(ORDERS, SAVED, OFFSETS);

        assertThat(OffsetDocument.parse(document.toJson())).isEqualTo(document);
        assertThat(OffsetDocument.parse(document.toIndentedJson())).isEqualTo(document);
        assertThat(new String(document.toIndentedJson(), StandardCharsets.UTF_8)).contains("\n");
    }

    @Test
    void offsetsObjectAloneRoundTrips() throws IOException {
        assertThat(OffsetDocument.offsetsFromJson(OffsetDocument.offsetsToJson(OFFSETS))).isEqualTo(OFFSETS);
        assertThat(OffsetDocument.offsetsFromJson(OffsetDocument.offsetsToJson(SourceOffsets.none())).isEmpty())
                .isTrue();
    }

    @Test
    void documentWithoutOffsetsHoldsNone() throws IOException {
        OffsetDocument document = OffsetDocument.parse("{\"pipeline\":\"orders\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(document.offsets().isEmpty()).isTrue();
        assertThat(document.savedAt()).isNull();
    }

    @Test
    void documentBelongsOnlyToThePipelineItNames() throws IOException {
        OffsetDocument anonymous = OffsetDocument.parse("{\"offsets\":{}}".getBytes(StandardCharsets.UTF_8));

        assertThat(OffsetDocument.of(ORDERS, SAVED, OFFSETS).belongsTo(ORDERS)).isTrue();
        assertThat(OffsetDocument.of(ORDERS, SAVED, OFFSETS).belongsTo(new PipelineId("customers"))).isFalse();
        assertThat(anonymous.belongsTo(ORDERS)).isTrue();
    }

    @Test
    void textThatIsNotADocumentIsRefused() {
        assertThatThrownBy(() -> OffsetDocument.parse("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> OffsetDocument.parse("{\"offsets\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("offsets is not a JSON object");
        assertThatThrownBy(() -> OffsetDocument.parse("{\"offsets\":{\"k\":{\"lsn\":1}}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> OffsetDocument.parse("{\"saved_at\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("saved_at");
        assertThatThrownBy(() -> OffsetDocument.offsetsFromJson("{\"k\":"))
                .isInstanceOf(IOException.class);
    }
}
