package io.sluice.sink.codec;

import static io.sluice.sink.TestEvents.ORDERS;
import static io.sluice.sink.TestEvents.columns;
import static io.sluice.sink.TestEvents.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.sink.TestEvents;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventJsonReaderTest {
    private final EventJson json = new EventJson();
    private final EventJsonReader reader = new EventJsonReader();

    /** Equal as Java values too, where the types are the ones JSON reads back (an int key, not a long). */
    @Test
    void anEventReadBackEqualsTheOneWritten() {
        ChangeEvent update = new ChangeEvent(ORDERS, Op.UPDATE, new Key(columns("id", 42, "line", "a-1")),
                Row.of(columns("id", 42)), Row.of(columns("id", 42, "status", "paid", "amount", new BigDecimal("12.50"),
                        "paid", true, "note", null, "tags", List.of("x", "y"))),
                Set.of("body"), position(23803720L, 23803888L, 751L), 23803888L);

        assertThat(reader.decode(json.encode(update))).isEqualTo(update);
    }

    @Test
    void everyValueTypeWritesTheSameJsonAgain() {
        ChangeEvent event = new ChangeEvent(ORDERS, Op.INSERT, new Key(columns("id", 5_000_000_000L)), null,
                Row.of(columns("id", 5_000_000_000L, "small", (short) 3, "huge", new BigDecimal("12345678901234567890"),
                        "exact", new BigDecimal("99999999999999.999999"), "ratio", 1.0E10, "nan", Double.NaN,
                        "real", 1.25f, "doc", columns("b", List.of(1, columns("c", null)), "a", "é😀"))),
                Set.of(), position(1, 2, null), 2);

        byte[] written = json.encode(event);

        assertThat(text(json.encode(reader.decode(written)))).isEqualTo(text(written));
    }

    @Test
    void snapshotReadsDeletesAndTruncatesReadBack() {
        ChangeEvent read = new ChangeEvent(ORDERS, Op.READ, new Key(columns("id", 1)), null, Row.of(columns("id", 1)),
                Set.of(), new SourcePosition(0x100L, 0x100L, null, null, true), 0x100L);

        for (ChangeEvent event : List.of(read, TestEvents.delete(7), TestEvents.truncate(ORDERS))) {
            assertThat(text(json.encode(reader.decode(json.encode(event))))).isEqualTo(text(json.encode(event)));
            assertThat(reader.decode(json.encode(event)).op()).isEqualTo(event.op());
        }
    }

    @Test
    void commitTimesComeBackToTheMicrosecond() {
        ChangeEvent event = new ChangeEvent(ORDERS, Op.INSERT, new Key(columns("id", 1)), null,
                Row.of(columns("id", 1)), Set.of(),
                new SourcePosition(1, 1, 1L, Instant.parse("2026-01-02T03:04:05.123456789Z"), false), 1);

        assertThat(reader.decode(json.encode(event)).position().commitTime())
                .isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
    }

    @Test
    void whatIsNotAnEventIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> reader.decode("{\"op\":secret-value}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid JSON at byte 7")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> reader.decode("{\"op\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table is missing");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
