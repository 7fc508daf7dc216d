package io.sluice.sink.codec;

import static io.sluice.sink.TestEvents.ORDERS;
import static io.sluice.sink.TestEvents.columns;
import static io.sluice.sink.TestEvents.insert;
import static io.sluice.sink.TestEvents.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.sink.TestEvents;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private final EventJson json = new EventJson();

    @Test
    void updateIsEncodedInTheDocumentedShapeAndOrder() {
        ChangeEvent update = new ChangeEvent(ORDERS, Op.UPDATE, new Key(columns("id", 42)),
                Row.of(columns("id", 42, "status", "new")), Row.of(columns("id", 42, "status", "paid")),
                Set.of("note"), position(23803720L, 23803888L, 751L), 23803888L);

        assertThat(text(json.encode(update))).isEqualTo("{\"op\":\"u\","
                + "\"table\":{\"database\":\"shop\",\"schema\":\"public\",\"table\":\"orders\"},"
                + "\"key\":{\"id\":42},"
                + "\"before\":{\"id\":42,\"status\":\"new\"},"
                + "\"after\":{\"id\":42,\"status\":\"paid\"},"
                + "\"unchanged\":[\"note\"],"
                + "\"source\":{\"lsn\":\"0/16B3748\",\"lsn_num\":23803720,\"commit_lsn\":\"0/16B37F0\",\"tx_id\":751,"
                + "\"commit_time\":\"2026-11-22T10:15:30.123456Z\",\"snapshot\":false},"
                + "\"version\":23803888}");
    }

    @Test
    void snapshotReadHasNullBeforeAndNullTxId() {
        ChangeEvent read = new ChangeEvent(ORDERS, Op.READ, new Key(columns("id", 1)), null,
                Row.of(columns("id", 1)), Set.of(),
                new SourcePosition(0x100L, 0x100L, null, Instant.parse("2026-01-02T03:04:05Z"), true), 0x100L);

        JsonNode node = parse(json.encode(read));

        assertThat(node.get("op").asText()).isEqualTo("r");
        assertThat(node.get("before").isNull()).isTrue();
        assertThat(node.at("/source/tx_id").isNull()).isTrue();
        assertThat(node.at("/source/snapshot").asBoolean()).isTrue();
        assertThat(node.at("/source/commit_time").asText()).isEqualTo("2026-01-02T03:04:05.000000Z");
    }

    @Test
    void commitTimeAlwaysHasSixFractionDigitsCuttingFinerOnes() {
        ChangeEvent event = new ChangeEvent(ORDERS, Op.INSERT, new Key(columns("id", 1)), null,
                Row.of(columns("id", 1)), Set.of(),
                new SourcePosition(1, 1, 1L, Instant.parse("2026-01-02T03:04:05.123456789Z"), false), 1);

        assertThat(parse(json.encode(event)).at("/source/commit_time").asText())
                .isEqualTo("2026-01-02T03:04:05.123456Z");
    }

    @Test
    void commitTimeOfAnyYearIsWhatTheFormatPatternGives() {
        java.time.format.DateTimeFormatter pattern = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 10_000; i++) {
            Instant time = Instant.ofEpochSecond(random.nextLong(first, last + 1), random.nextInt(1_000_000_000));
            assertThat(EventJson.time(time)).as("%s", time).isEqualTo(pattern.format(time));
        }
        for (String edge : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
            "1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "-0001-12-31T00:00:00Z"}) {
            Instant time = Instant.parse(edge);
            assertThat(EventJson.time(time)).as(edge).isEqualTo(pattern.format(time));
        }
    }

    @Test
    void deleteHasNullAfterAndTruncateHasEmptyKeyAndNoImages() {
        JsonNode delete = parse(json.encode(TestEvents.delete(7)));
        JsonNode truncate = parse(json.encode(TestEvents.truncate(ORDERS)));

        assertThat(delete.get("op").asText()).isEqualTo("d");
        assertThat(delete.get("after").isNull()).isTrue();
        assertThat(delete.get("before").toString()).isEqualTo("{\"id\":7}");
        assertThat(truncate.get("op").asText()).isEqualTo("t");
        assertThat(truncate.get("key").toString()).isEqualTo("{}");
        assertThat(truncate.get("before").isNull()).isTrue();
        assertThat(truncate.get("after").isNull()).isTrue();
    }

    @Test
    void unchangedIsPresentAsEmptyArrayWhenNothingWasLeftOut() {
        assertThat(text(json.encode(insert(1)))).contains("\"unchanged\":[]");
    }

    @Test
    void unchangedColumnsAreSortedByName() {
        ChangeEvent update = new ChangeEvent(ORDERS, Op.UPDATE, new Key(columns("id", 1)), null,
                Row.of(columns("id", 1)), Set.of("notes", "attachment", "body"), position(1, 1, 1L), 1);

        assertThat(text(json.encode(update))).contains("\"unchanged\":[\"attachment\",\"body\",\"notes\"]");
    }

    @Test
    void bigDecimalIsWrittenExactlyInPlainNotation() {
        String after = afterOf(columns(
                "amount", new BigDecimal("12345678901234567890.123456789"),
                "thousand", new BigDecimal("1E+3"),
                "tiny", new BigDecimal("1E-12"),
                "scaled", new BigDecimal("2.50")));

        assertThat(after).isEqualTo("{\"amount\":12345678901234567890.123456789,\"thousand\":1000,"
                + "\"tiny\":0.000000000001,\"scaled\":2.50}");
    }

    @Test
    void integersOfEveryWidthAreJsonIntegers() {
        assertThat(afterOf(columns("s", (short) -7, "i", Integer.MIN_VALUE, "l", Long.MAX_VALUE)))
                .isEqualTo("{\"s\":-7,\"i\":-2147483648,\"l\":9223372036854775807}");
    }

    @Test
    void floatsAreNumbersAndNonFiniteFloatsAreStrings() {
        assertThat(afterOf(columns("f", 1.5f, "d", 0.1, "nan", Double.NaN, "inf", Double.POSITIVE_INFINITY,
                "ninf", Float.NEGATIVE_INFINITY)))
                .isEqualTo("{\"f\":1.5,\"d\":0.1,\"nan\":\"NaN\",\"inf\":\"Infinity\",\"ninf\":\"-Infinity\"}");
    }

    @Test
    void booleansAndNullsAreWrittenAsIs() {
        assertThat(afterOf(columns("paid", true, "void", false, "note", null)))
                .isEqualTo("{\"paid\":true,\"void\":false,\"note\":null}");
    }

    @Test
    void unicodeIsWrittenUnescapedAndControlCharactersAndQuotesAreEscaped() {
        String after = afterOf(columns("name", "Grüße, 日本 🚀", "quote", "say \"hi\"\n\\"));

        assertThat(after).isEqualTo("{\"name\":\"Grüße, 日本 🚀\",\"quote\":\"say \\\"hi\\\"\\n\\\\\"}");
    }

    @Test
    void jsonObjectsAndArraysAreNestedAndKeepTheirOrder() {
        Map<String, Object> doc = columns("z", 1, "a", List.of(1, "two", columns("deep", List.of())), "m", null);

        assertThat(afterOf(columns("doc", doc, "tags", List.of("x", "y"), "empty", Map.of())))
                .isEqualTo("{\"doc\":{\"z\":1,\"a\":[1,\"two\",{\"deep\":[]}],\"m\":null},\"tags\":[\"x\",\"y\"],"
                        + "\"empty\":{}}");
    }

    @Test
    void valueOfAnUnsupportedTypeIsRefusedNamingTypeAndColumnButNotTheValue() {
        UUID value = UUID.fromString("6f1c5e2a-2f0e-4c44-9a43-0b7f8b2c9d11");
        ChangeEvent event = insert(ORDERS, 1, columns("id", 1, "ref", value));

        assertThatThrownBy(() -> json.encode(event))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ref'")
                .hasMessageContaining("java.util.UUID")
                .hasMessageNotContaining(value.toString());
    }

    @Test
    void keyBytesAreTheKeyColumnsInKeyColumnOrder() {
        assertThat(text(json.keyBytes(new Key(columns("id", 42))))).isEqualTo("{\"id\":42}");
        assertThat(text(json.keyBytes(new Key(columns("order_id", 1, "line", 2)))))
                .isEqualTo("{\"order_id\":1,\"line\":2}");
        assertThat(text(json.keyBytes(new Key(columns("line", 2, "order_id", 1)))))
                .isEqualTo("{\"line\":2,\"order_id\":1}");
        assertThat(text(json.keyBytes(Key.none()))).isEqualTo("{}");
    }

    @Test
    void equalKeysGiveTheSameBytesWhateverOrderNestedObjectsHave() {
        Map<String, Object> ascending = new LinkedHashMap<>();
        ascending.put("a", 1);
        ascending.put("b", 2);
        Map<String, Object> descending = new LinkedHashMap<>();
        descending.put("b", 2);
        descending.put("a", 1);

        byte[] first = json.keyBytes(new Key(columns("tenant", "acme", "attrs", ascending)));
        byte[] second = json.keyBytes(new Key(columns("tenant", "acme", "attrs", descending)));
        byte[] third = new EventJson().keyBytes(new Key(columns("tenant", "acme", "attrs", new HashMap<>(ascending))));

        assertThat(first).isEqualTo(second).isEqualTo(third);
        assertThat(text(first)).isEqualTo("{\"tenant\":\"acme\",\"attrs\":{\"a\":1,\"b\":2}}");
    }

    @Test
    void keyFieldOfTheEventIsExactlyTheRecordKey() {
        ChangeEvent event = new ChangeEvent(ORDERS, Op.INSERT,
                new Key(columns("order_id", new BigDecimal("10.0"), "line", 2)), null,
                Row.of(columns("order_id", new BigDecimal("10.0"), "line", 2)), Set.of(), position(1, 1, 1L), 1);

        String value = text(json.encode(event));

        assertThat(value).contains("\"key\":" + text(json.keyBytes(event.key())) + ",");
    }

    @Test
    void encodedEventIsValidJsonForAPlainParser() {
        JsonNode node = parse(json.encode(TestEvents.update(42, "paid", 23803888L)));

        assertThat(node.get("version").asLong()).isEqualTo(23803888L);
        assertThat(node.at("/after/status").asText()).isEqualTo("paid");
        assertThat(node.at("/source/lsn_num").asLong()).isEqualTo(23803888L - 0xA8);
    }

    @Test
    void rowJsonAndItsPiecesAreExactlyTheAfterImage() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("z", List.of(1, "x\"y"));
        nested.put("a", null);
        Map<String, Object> after = columns("id", 1L, "quo\"te", "a\\b\n", "emoji 😀", "é ✓",
                "amount", new BigDecimal("12345678901234567890.10"), "doc", nested, "none", null, "ratio",
                Double.NaN);
        String expected = afterOf(after);

        StringBuilder pieces = new StringBuilder("{");
        after.forEach((column, value) -> pieces.append(pieces.length() > 1 ? "," : "")
                .append(json.fieldNameJson(column)).append(':').append(json.valueJson(column, value)));

        assertThat(json.rowJson(Row.of(after))).isEqualTo(expected);
        assertThat(pieces.append('}').toString()).isEqualTo(expected);
        assertThat(json.fieldNameJson("quo\"te")).isEqualTo("\"quo\\\"te\"");
    }

    @Test
    void keyValueJsonSortsNestedObjectsAndValueJsonKeepsTheirOrder() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("b", 1);
        nested.put("a", Map.of("d", 2));

        assertThat(json.keyValueJson("k", nested)).isEqualTo("{\"a\":{\"d\":2},\"b\":1}");
        assertThat(json.valueJson("k", nested)).isEqualTo("{\"b\":1,\"a\":{\"d\":2}}");
        assertThat(json.valueJson("k", new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThatThrownBy(() -> json.valueJson("k", new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 'k'");
    }

    /** The encoder's own text of the after image (a parser would reformat numbers, which is what is tested). */
    private String afterOf(Map<String, Object> after) {
        String event = text(json.encode(insert(ORDERS, 1, after)));
        return event.substring(event.indexOf("\"after\":") + 8, event.indexOf(",\"unchanged\":"));
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return new ObjectMapper().readTree(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError("not valid JSON: " + text(bytes), e);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
