package io.sluice.sink.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.sink.TestEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLetterJsonTest {
    private static final Instant FAILED_AT = Instant.parse("2026-11-22T10:15:31.204Z");
    private final DeadLetterJson json = new DeadLetterJson();

    @Test
    void aDeadLetterIsWrittenInTheDocumentedShapeOnOneLine() {
        ChangeEvent event = TestEvents.update(7, "paid", 0x16B37F0L);
        DeadLetter letter = new DeadLetter("orders", "elasticsearch", event, "mapper_parsing_exception: bad \"amount\"");

        String line = new String(json.encode(letter, FAILED_AT), StandardCharsets.UTF_8);

        assertThat(line).isEqualTo("{\"pipeline\":\"orders\",\"sink\":\"elasticsearch\","
                + "\"failed_at\":\"2026-11-22T10:15:31.204000Z\","
                + "\"error\":\"mapper_parsing_exception: bad \\\"amount\\\"\","
                + "\"table\":\"public.orders\",\"key\":{\"id\":7},\"op\":\"u\",\"lsn\":\"0/16B3748\",\"tx_id\":751,"
                + "\"commit_time\":\"2026-11-22T10:15:30.123456Z\",\"event\":"
                + new String(new EventJson().encode(event), StandardCharsets.UTF_8) + "}");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void aDeadLetterReadsBackWithItsTime() {
        DeadLetter letter = new DeadLetter("orders", "redis#2", TestEvents.delete(9), "WRONGTYPE");
        byte[] written = json.encode(letter, FAILED_AT);

        StoredDeadLetter read = json.decode(written);

        assertThat(read.failedAt()).isEqualTo(FAILED_AT);
        assertThat(read.letter().pipeline()).isEqualTo("orders");
        assertThat(read.letter().sink()).isEqualTo("redis#2");
        assertThat(read.letter().error()).isEqualTo("WRONGTYPE");
        assertThat(json.encode(read.letter(), read.failedAt())).isEqualTo(written);
    }

    @Test
    void fieldsAddedByALaterVersionAreIgnored() {
        DeadLetter letter = new DeadLetter("orders", "kafka", TestEvents.insert(1), "record too large");
        String line = new String(json.encode(letter, FAILED_AT), StandardCharsets.UTF_8);
        String later = "{\"attempts\":[1,{\"x\":2}]," + line.substring(1);

        StoredDeadLetter read = json.decode(later.getBytes(StandardCharsets.UTF_8));

        assertThat(new String(json.encode(read.letter(), read.failedAt()), StandardCharsets.UTF_8)).isEqualTo(line);
    }

    @Test
    void theKeyKeepsOneRowsLettersTogether() {
        DeadLetter letter = new DeadLetter("orders", "kafka", TestEvents.insert(1), "record too large");

        assertThat(new String(json.key(letter), StandardCharsets.UTF_8))
                .isEqualTo("{\"table\":\"public.orders\",\"key\":{\"id\":1}}");
    }

    @Test
    void aLetterWithoutItsEventIsRefused() {
        assertThatThrownBy(() -> json.decode(("{\"pipeline\":\"orders\",\"sink\":\"kafka\",\"error\":\"x\","
                + "\"failed_at\":\"2026-11-22T10:15:31Z\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs pipeline, sink, error, failed_at and event");
    }
}
