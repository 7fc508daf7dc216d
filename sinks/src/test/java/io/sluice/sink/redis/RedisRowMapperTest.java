package io.sluice.sink.redis;

import static io.sluice.sink.TestEvents.columns;
import static io.sluice.sink.TestEvents.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.sink.TestEvents;
import io.sluice.sink.codec.EventJson;
import io.sluice.sink.redis.RedisRowMapper.ScriptCall;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisRowMapperTest {
    private static final TableId ORDERS = TestEvents.ORDERS;
    private static final Duration MARKER_TTL = Duration.ofHours(24);

    @Test
    void hashModeSendsEveryNonNullColumnAsTextAndKeyColumnsToo() {
        ChangeEvent update = event(Op.UPDATE, columns("id", 42L, "status", "paid", "amount", new BigDecimal("10.50"),
                "paid", true, "tags", List.of("a", "b"), "note", null), Set.of(), 0x1_0000_0000L);

        ScriptCall call = mapper(RedisValueMode.HASH, null).map(update);

        assertThat(call.keys()).containsExactly("orders:42", "{orders:42}:version");
        assertThat(call.args()).containsExactly("u", "4294967296", "0", "h", "0",
                "id", "42", "status", "paid", "amount", "10.50", "paid", "true", "tags", "[\"a\",\"b\"]");
    }

    @Test
    void hashModeFloatsAreTheirJsonTextAndNonFiniteOnesTheirNameWithoutQuotes() {
        RedisRowMapper mapper = mapper(RedisValueMode.HASH, null);

        assertThat(mapper.hashValue("c", 1.5d)).isEqualTo("1.5");
        assertThat(mapper.hashValue("c", 2.25f)).isEqualTo("2.25");
        assertThat(mapper.hashValue("c", Double.NaN)).isEqualTo("NaN");
        assertThat(mapper.hashValue("c", Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(mapper.hashValue("c", Map.of("a", "b"))).isEqualTo("{\"a\":\"b\"}");
    }

    @Test
    void ttlBelowAMillisecondIsRefused() {
        EventJson json = new EventJson();
        RedisKeyMapper keys = RedisKeyMapper.parse("{table}:{key}", json);

        assertThatThrownBy(() -> new RedisRowMapper(keys, json, RedisValueMode.HASH, Duration.ofNanos(500),
                MARKER_TTL)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }

    @Test
    void hashModeNamesTheUnchangedColumnsAndGivesTheTtlInMillis() {
        ChangeEvent update = event(Op.UPDATE, columns("id", 42L, "title", "second"), Set.of("body"), 500L);

        ScriptCall call = mapper(RedisValueMode.HASH, Duration.ofMinutes(5)).map(update);

        assertThat(call.args()).containsExactly("u", "500", "300000", "h", "1", "body", "id", "42", "title", "second");
    }

    @Test
    void jsonModeSendsTheAfterImageOfTheEventJson() {
        Map<String, Object> after = columns("id", 42L, "status", "paid", "note", null, "amount",
                new BigDecimal("12345678901234567890.10"));
        ChangeEvent insert = event(Op.INSERT, after, Set.of(), 500L);

        ScriptCall call = mapper(RedisValueMode.JSON, null).map(insert);

        String event = new String(new EventJson().encode(insert), java.nio.charset.StandardCharsets.UTF_8);
        String expected = event.substring(event.indexOf("\"after\":") + 8, event.indexOf(",\"unchanged\":"));
        assertThat(call.args()).containsExactly("u", "500", "0", "j", "0", expected);
        assertThat(expected).isEqualTo("{\"id\":42,\"status\":\"paid\",\"note\":null,"
                + "\"amount\":12345678901234567890.10}");
    }

    @Test
    void jsonModeWithUnchangedColumnsSendsQuotedNamesAndValuePairsForTheScriptToMerge() {
        ChangeEvent update = event(Op.UPDATE, columns("id", 42L, "ti\"tle", "second", "n", null),
                Set.of("body"), 500L);

        ScriptCall call = mapper(RedisValueMode.JSON, null).map(update);

        assertThat(call.args()).containsExactly("u", "500", "0", "j", "1", "\"body\"",
                "\"id\"", "42", "\"ti\\\"tle\"", "\"second\"", "\"n\"", "null");
    }

    @Test
    void deleteSendsTheMarkerTtlAndNoValues() {
        ChangeEvent delete = event(Op.DELETE, null, Set.of(), 900L);

        ScriptCall call = mapper(RedisValueMode.JSON, Duration.ofMinutes(5)).map(delete);

        assertThat(call.keys()).containsExactly("orders:42", "{orders:42}:version");
        assertThat(call.args()).containsExactly("d", "900", "86400000", "j", "0");
        assertThat(mapper(RedisValueMode.HASH, null).delete("orders:7", 901L).args())
                .containsExactly("d", "901", "86400000", "h", "0");
    }

    @Test
    void versionsAreUnsignedDecimalText() {
        ChangeEvent insert = event(Op.INSERT, columns("id", 42L), Set.of(), Long.MAX_VALUE);

        assertThat(mapper(RedisValueMode.HASH, null).map(insert).args().get(1)).isEqualTo("9223372036854775807");
    }

    @Test
    void truncateIsNotARowEvent() {
        assertThatThrownBy(() -> mapper(RedisValueMode.HASH, null).map(TestEvents.truncate(ORDERS)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RedisRowMapper mapper(RedisValueMode mode, Duration ttl) {
        EventJson json = new EventJson();
        return new RedisRowMapper(RedisKeyMapper.parse("{table}:{key}", json), json, mode, ttl, MARKER_TTL);
    }

    private static ChangeEvent event(Op op, Map<String, Object> after, Set<String> unchanged, long version) {
        Key key = new Key(Map.of("id", 42L));
        Row before = op == Op.UPDATE || op == Op.DELETE ? Row.of(Map.of("id", 42L)) : null;
        return new ChangeEvent(ORDERS, op, key, before, after == null ? null : Row.of(after), unchanged,
                position(version, version, 751L), version);
    }
}
