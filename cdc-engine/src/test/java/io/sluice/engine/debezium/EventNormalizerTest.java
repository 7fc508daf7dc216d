package io.sluice.engine.debezium;

import static io.sluice.engine.debezium.PostgresChangeRecords.LSN;
import static io.sluice.engine.debezium.PostgresChangeRecords.PLACEHOLDER;
import static io.sluice.engine.debezium.PostgresChangeRecords.TX_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.debezium.data.Bits;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.data.geometry.Point;
import io.debezium.relational.mapping.PropagateSourceMetadataToSchemaParameter;
import io.debezium.time.Interval;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.NanoTime;
import io.debezium.time.NanoTimestamp;
import io.debezium.time.Time;
import io.debezium.time.Timestamp;
import io.debezium.time.ZonedTime;
import io.debezium.time.ZonedTimestamp;
import io.sluice.config.source.DecimalMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGStatement;

class EventNormalizerTest {
    private static final long COMMIT_LSN = 0x1A2B4000L;
    private static final long VERSION = 42L;

    /** Tables whose old rows the fixtures send in full, as with REPLICA IDENTITY FULL. */
    private static final Set<String> FULL_IDENTITY = Set.of("public.items", "public.docs");
    private static final EventNormalizer NORMALIZER =
            new EventNormalizer(DecimalMode.STRING, PLACEHOLDER, FULL_IDENTITY);

    private static final Schema DATE = io.debezium.time.Date.builder().optional().build();
    private static final Schema MICRO_TIME = MicroTime.builder().optional().build();
    private static final Schema NANO_TIME = NanoTime.builder().optional().build();
    private static final Schema TIMETZ = ZonedTime.builder().optional().build();
    private static final Schema MILLI_TIMESTAMP = Timestamp.builder().optional().build();
    private static final Schema MICRO_TIMESTAMP = MicroTimestamp.builder().optional().build();
    private static final Schema NANO_TIMESTAMP = NanoTimestamp.builder().optional().build();
    private static final Schema TIMESTAMPTZ = ZonedTimestamp.builder().optional().build();
    private static final Schema JSON = Json.builder().optional().build();

    /** Debezium's schema for numeric with decimal.handling.mode=string and datatype.propagate.source.type. */
    private static Schema numeric(String sourceType) {
        return SchemaBuilder.string().optional()
                .parameter(PropagateSourceMetadataToSchemaParameter.TYPE_NAME_PARAMETER_KEY, sourceType)
                .build();
    }

    private static ChangeEvent normalized(SourceRecord record) throws NormalizationException {
        return NORMALIZER.normalize(record, VERSION, COMMIT_LSN);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    private static Object converted(Schema type, Object value) throws NormalizationException {
        return converted(DecimalMode.STRING, type, value);
    }

    /** Inserts one row with the value in column {@code v} and returns what the normalizer made of it. */
    private static Object converted(DecimalMode decimals, Schema type, Object value) throws NormalizationException {
        PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                .key("id", Schema.INT32_SCHEMA)
                .column("v", type)
                .build();
        ChangeEvent event = new EventNormalizer(decimals, PLACEHOLDER, FULL_IDENTITY)
                .normalize(items.insert(items.row("id", 1, "v", value)), VERSION, COMMIT_LSN);
        return event.after().get("v");
    }

    @Nested
    class ColumnTypes {
        @Test
        void smallintStaysShort() throws Exception {
            assertThat(converted(Schema.OPTIONAL_INT16_SCHEMA, (short) -32768)).isEqualTo((short) -32768);
        }

        @Test
        void integerStaysInteger() throws Exception {
            assertThat(converted(Schema.OPTIONAL_INT32_SCHEMA, 2_147_483_647)).isEqualTo(2_147_483_647);
        }

        @Test
        void bigintStaysLong() throws Exception {
            assertThat(converted(Schema.OPTIONAL_INT64_SCHEMA, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void numericInStringModeKeepsItsExactTextAndScale() throws Exception {
            assertThat(converted(numeric("NUMERIC"), "12.50")).isEqualTo("12.50");
            assertThat(converted(numeric("NUMERIC"), "123456789012345678901234567890.000100"))
                    .isEqualTo("123456789012345678901234567890.000100");
        }

        @Test
        void numericInNumberModeBecomesBigDecimalWithItsScale() throws Exception {
            Object value = converted(DecimalMode.NUMBER, numeric("NUMERIC"), "12.50");

            assertThat(value).isInstanceOf(BigDecimal.class).isEqualTo(new BigDecimal("12.50"));
            assertThat(((BigDecimal) value).scale()).isEqualTo(2);
        }

        @ParameterizedTest
        @CsvSource({"NAN, NaN", "POSITIVE_INFINITY, Infinity", "NEGATIVE_INFINITY, -Infinity"})
        void numericSpecialValuesUsePostgresSpellingInBothModes(String debezium, String expected) throws Exception {
            assertThat(converted(DecimalMode.STRING, numeric("NUMERIC"), debezium)).isEqualTo(expected);
            assertThat(converted(DecimalMode.NUMBER, numeric("NUMERIC"), debezium)).isEqualTo(expected);
        }

        @Test
        void moneyIsTreatedAsExactDecimal() throws Exception {
            assertThat(converted(DecimalMode.NUMBER, numeric("MONEY"), "12.34")).isEqualTo(new BigDecimal("12.34"));
        }

        @Test
        void textThatLooksLikeADebeziumSpecialValueIsLeftAlone() throws Exception {
            assertThat(converted(DecimalMode.NUMBER, Schema.OPTIONAL_STRING_SCHEMA, "NAN")).isEqualTo("NAN");
        }

        @Test
        void connectDecimalFollowsTheDecimalMode() throws Exception {
            Schema decimal = Decimal.builder(2).optional().build();

            assertThat(converted(DecimalMode.STRING, decimal, new BigDecimal("12.50"))).isEqualTo("12.50");
            assertThat(converted(DecimalMode.NUMBER, decimal, new BigDecimal("12.50")))
                    .isEqualTo(new BigDecimal("12.50"));
        }

        @Test
        void variableScaleDecimalIsDecodedExactly() throws Exception {
            Schema variable = VariableScaleDecimal.optionalSchema();
            Struct value = VariableScaleDecimal.fromLogical(variable, new BigDecimal("-1234.5678"));

            assertThat(converted(DecimalMode.NUMBER, variable, value)).isEqualTo(new BigDecimal("-1234.5678"));
            assertThat(converted(DecimalMode.STRING, variable, value)).isEqualTo("-1234.5678");
        }

        @Test
        void realStaysFloat() throws Exception {
            assertThat(converted(Schema.OPTIONAL_FLOAT32_SCHEMA, 1.5f)).isEqualTo(1.5f);
        }

        @Test
        void doubleStaysDouble() throws Exception {
            assertThat(converted(Schema.OPTIONAL_FLOAT64_SCHEMA, 0.1d)).isEqualTo(0.1d);
        }

        @Test
        void nonFiniteFloatingPointValuesBecomeText() throws Exception {
            assertThat(converted(Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN)).isEqualTo("NaN");
            assertThat(converted(Schema.OPTIONAL_FLOAT64_SCHEMA, Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
            assertThat(converted(Schema.OPTIONAL_FLOAT32_SCHEMA, Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        }

        @Test
        void booleanStaysBoolean() throws Exception {
            assertThat(converted(Schema.OPTIONAL_BOOLEAN_SCHEMA, true)).isEqualTo(true);
        }

        @Test
        void textStaysText() throws Exception {
            assertThat(converted(Schema.OPTIONAL_STRING_SCHEMA, "héllo ✓")).isEqualTo("héllo ✓");
        }

        @Test
        void varcharStaysText() throws Exception {
            assertThat(converted(Schema.OPTIONAL_STRING_SCHEMA, "vc")).isEqualTo("vc");
        }

        @Test
        void charKeepsThePaddingPostgresSends() throws Exception {
            assertThat(converted(Schema.OPTIONAL_STRING_SCHEMA, "ab   ")).isEqualTo("ab   ");
        }

        @Test
        void uuidStaysText() throws Exception {
            assertThat(converted(Uuid.builder().optional().build(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                    .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        }

        @Test
        void jsonObjectBecomesMapInDocumentOrder() throws Exception {
            Object value = converted(JSON, "{\"b\":1,\"a\":[1,2.50,null,\"x\"],\"c\":false}");

            assertThat(value).isInstanceOf(Map.class);
            Map<String, Object> object = asMap(value);
            assertThat(object.keySet()).containsExactly("b", "a", "c");
            assertThat(object.get("b")).isEqualTo(1L);
            assertThat(asList(object.get("a"))).containsExactly(1L, new BigDecimal("2.50"), null, "x");
            assertThat(object.get("c")).isEqualTo(false);
        }

        @Test
        void jsonbNestedValuesKeepEveryDigit() throws Exception {
            String jsonb = "{\"a\": {\"deep\": [true, {\"n\": 12345678901234567890.123456789}]}, "
                    + "\"big\": 123456789012345678901234567890, \"long\": 9223372036854775807, \"exp\": 1.0E+2}";

            Map<String, Object> object = asMap(converted(JSON, jsonb));

            Map<String, Object> a = asMap(object.get("a"));
            List<Object> deep = asList(a.get("deep"));
            assertThat(deep.get(0)).isEqualTo(true);
            assertThat(asMap(deep.get(1)).get("n")).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
            assertThat(object.get("big")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
            assertThat(object.get("long")).isEqualTo(Long.MAX_VALUE);
            assertThat(object.get("exp")).isEqualTo(new BigDecimal("1.0E+2"));
        }

        @Test
        void jsonScalarsAndArraysAtTopLevelAreKept() throws Exception {
            assertThat(converted(JSON, "[1, \"two\"]")).isEqualTo(List.of(1L, "two"));
            assertThat(converted(JSON, "\"text\"")).isEqualTo("text");
            assertThat(converted(JSON, "null")).isNull();
        }

        @Test
        void jsonWithRepeatedKeyKeepsTheLastValueLikeJsonb() throws Exception {
            Map<String, Object> object = asMap(converted(JSON, "{\"a\":1,\"b\":2,\"a\":3}"));

            assertThat(object).containsExactly(entry("a", 3L), entry("b", 2L));
        }

        @Test
        void hstoreAsJsonBecomesMapOfText() throws Exception {
            Map<String, Object> object = asMap(converted(JSON, "{\"a\":\"1\",\"b\":null}"));

            assertThat(object).containsExactly(entry("a", "1"), entry("b", null));
        }

        @Test
        void hstoreAsConnectMapBecomesMapOfText() throws Exception {
            Schema hstore = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build();
            Map<String, String> value = new LinkedHashMap<>();
            value.put("a", "1");
            value.put("b", null);

            assertThat(asMap(converted(hstore, value))).containsExactly(entry("a", "1"), entry("b", null));
        }

        @Test
        void byteaBecomesPaddedStandardBase64() throws Exception {
            byte[] bytes = {0x00, (byte) 0xFF, 0x10, (byte) 0xFB};

            assertThat(converted(Schema.OPTIONAL_BYTES_SCHEMA, ByteBuffer.wrap(bytes))).isEqualTo("AP8Q+w==");
            assertThat(converted(Schema.OPTIONAL_BYTES_SCHEMA, bytes)).isEqualTo("AP8Q+w==");
            assertThat(converted(Schema.OPTIONAL_BYTES_SCHEMA, ByteBuffer.wrap(new byte[0]))).isEqualTo("");
        }

        @Test
        void bitsBecomeBase64OfDebeziumsBytes() throws Exception {
            assertThat(converted(Bits.builder(3).optional().build(), new byte[] {0x05})).isEqualTo("BQ==");
        }

        @Test
        void dateBecomesIsoDate() throws Exception {
            assertThat(converted(DATE, 19_782)).isEqualTo("2024-02-29");
        }

        @Test
        void datesBeforeChristUseAstronomicalYears() throws Exception {
            // PostgreSQL's 4713-01-01 BC
            assertThat(converted(DATE, -2_440_550)).isEqualTo("-4712-01-01");
        }

        @Test
        void timeKeepsMicroseconds() throws Exception {
            Schema time = MICRO_TIME;

            assertThat(converted(time, 49_510_123_456L)).isEqualTo("13:45:10.123456");
            assertThat(converted(time, 49_510_500_000L)).isEqualTo("13:45:10.500");
            assertThat(converted(time, 49_500_000_000L)).isEqualTo("13:45:00");
        }

        @Test
        void midnightAtEndOfDayIsKept() throws Exception {
            assertThat(converted(MICRO_TIME, 86_400_000_000L)).isEqualTo("24:00:00");
        }

        @Test
        void millisecondAndNanosecondTimesUseTheSameForm() throws Exception {
            assertThat(converted(Time.builder().optional().build(), 49_510_123)).isEqualTo("13:45:10.123");
            assertThat(converted(NANO_TIME, 49_510_123_456_789L)).isEqualTo("13:45:10.123456789");
            assertThat(converted(org.apache.kafka.connect.data.Time.builder().optional().build(),
                    new java.util.Date(49_510_123L))).isEqualTo("13:45:10.123");
        }

        @Test
        void timetzIsPassedThrough() throws Exception {
            assertThat(converted(TIMETZ, "11:45:10.123456Z")).isEqualTo("11:45:10.123456Z");
        }

        @Test
        void timestampKeepsMicrosecondsWithoutZone() throws Exception {
            assertThat(converted(MICRO_TIMESTAMP, 1_709_214_310_123_456L))
                    .isEqualTo("2024-02-29T13:45:10.123456");
        }

        @Test
        void timestampWithWholeSecondsStillShowsSeconds() throws Exception {
            assertThat(converted(MILLI_TIMESTAMP, 1_709_214_300_000L))
                    .isEqualTo("2024-02-29T13:45:00");
        }

        @Test
        void millisecondAndNanosecondTimestampsUseTheSameForm() throws Exception {
            assertThat(converted(MILLI_TIMESTAMP, 1_709_214_310_123L))
                    .isEqualTo("2024-02-29T13:45:10.123");
            assertThat(converted(NANO_TIMESTAMP, 1_709_214_310_123_456_789L))
                    .isEqualTo("2024-02-29T13:45:10.123456789");
            assertThat(converted(org.apache.kafka.connect.data.Timestamp.builder().optional().build(),
                    new java.util.Date(1_709_214_310_123L))).isEqualTo("2024-02-29T13:45:10.123");
        }

        @Test
        void timestampsBeforeTheEpochAreExact() throws Exception {
            assertThat(converted(MICRO_TIMESTAMP, -1L)).isEqualTo("1969-12-31T23:59:59.999999");
        }

        @Test
        void connectDateBecomesIsoDate() throws Exception {
            assertThat(converted(org.apache.kafka.connect.data.Date.builder().optional().build(),
                    new java.util.Date(19_782L * 86_400_000L))).isEqualTo("2024-02-29");
        }

        @Test
        void timestamptzIsPassedThrough() throws Exception {
            assertThat(converted(TIMESTAMPTZ, "2024-02-29T11:45:10.123456Z"))
                    .isEqualTo("2024-02-29T11:45:10.123456Z");
        }

        @Test
        void intervalIsPassedThrough() throws Exception {
            assertThat(converted(Interval.builder().optional().build(), "P1Y2M3DT4H5M6.78S"))
                    .isEqualTo("P1Y2M3DT4H5M6.78S");
        }

        @Test
        void integerArrayKeepsNullElements() throws Exception {
            Schema array = SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build();

            assertThat(converted(array, Arrays.asList(1, null, 3))).isEqualTo(Arrays.asList(1, null, 3));
        }

        @Test
        void textArrayKeepsNullElements() throws Exception {
            Schema array = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build();

            assertThat(converted(array, Arrays.asList("a", null, "c d"))).isEqualTo(Arrays.asList("a", null, "c d"));
        }

        @Test
        void numericArrayElementsFollowTheDecimalMode() throws Exception {
            Schema array = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional()
                    .parameter(PropagateSourceMetadataToSchemaParameter.TYPE_NAME_PARAMETER_KEY, "_NUMERIC")
                    .build();
            List<String> value = Arrays.asList("1.50", null, "NAN");

            assertThat(converted(DecimalMode.STRING, array, value)).isEqualTo(Arrays.asList("1.50", null, "NaN"));
            assertThat(converted(DecimalMode.NUMBER, array, value))
                    .isEqualTo(Arrays.asList(new BigDecimal("1.50"), null, "NaN"));
        }

        @Test
        void temporalArrayElementsAreConverted() throws Exception {
            Schema array = SchemaBuilder.array(MICRO_TIMESTAMP).optional().build();

            assertThat(converted(array, List.of(1_709_214_310_500_000L))).isEqualTo(List.of("2024-02-29T13:45:10.500"));
        }

        @Test
        void jsonArrayElementsAreParsed() throws Exception {
            Schema array = SchemaBuilder.array(JSON).optional().build();

            assertThat(converted(array, List.of("{\"k\":1}"))).isEqualTo(List.of(Map.of("k", 1L)));
        }

        @Test
        void enumStaysText() throws Exception {
            assertThat(converted(io.debezium.data.Enum.builder("sad,ok,happy").optional().build(), "happy"))
                    .isEqualTo("happy");
        }

        @Test
        void pointBecomesMapOfItsFields() throws Exception {
            Schema point = Point.builder().optional().build();
            Struct value = Point.createValue(point, 1.5, -2.0);

            Map<String, Object> converted = asMap(converted(point, value));

            assertThat(converted.get("x")).isEqualTo(1.5);
            assertThat(converted.get("y")).isEqualTo(-2.0);
            assertThat(converted.get("wkb")).isEqualTo("AQEAAAAAAAAAAAD4PwAAAAAAAADA");
            assertThat(converted.get("srid")).isNull();
        }

        @Test
        void nullStaysNullEvenWhenTheColumnHasADefault() throws Exception {
            Schema withDefault = SchemaBuilder.string().optional().defaultValue("pending").build();

            assertThat(converted(withDefault, null)).isNull();
            assertThat(converted(withDefault, "done")).isEqualTo("done");
        }
    }

    @Nested
    class Infinity {
        @Test
        void streamedDateInfinityBecomesWord() throws Exception {
            Schema date = DATE;

            assertThat(converted(date, -2_147_472_692)).isEqualTo("infinity");
            assertThat(converted(date, -2_147_472_691)).isEqualTo("-infinity");
        }

        @Test
        void snapshotDateInfinityBecomesWord() throws Exception {
            Schema date = DATE;
            // Debezium's take on the driver's java.sql.Date for 'infinity': it overflows int and depends on the zone.
            int positive = io.debezium.time.Date.toEpochDay(
                    new java.sql.Date(PGStatement.DATE_POSITIVE_INFINITY), null);
            int negative = io.debezium.time.Date.toEpochDay(
                    new java.sql.Date(PGStatement.DATE_NEGATIVE_INFINITY), null);

            assertThat(converted(date, positive)).isEqualTo("infinity");
            assertThat(converted(date, negative)).isEqualTo("-infinity");
        }

        @Test
        void timestampInfinityBecomesWordInEveryUnit() throws Exception {
            assertThat(converted(MICRO_TIMESTAMP, 9_223_372_036_825_200_000L)).isEqualTo("infinity");
            assertThat(converted(MICRO_TIMESTAMP, -9_223_372_036_832_400_000L)).isEqualTo("-infinity");
            assertThat(converted(MILLI_TIMESTAMP, 9_223_372_036_825_200L)).isEqualTo("infinity");
            assertThat(converted(MILLI_TIMESTAMP, -9_223_372_036_832_400L)).isEqualTo("-infinity");
            assertThat(converted(NANO_TIMESTAMP, Long.MAX_VALUE)).isEqualTo("infinity");
            assertThat(converted(NANO_TIMESTAMP, Long.MIN_VALUE)).isEqualTo("-infinity");
        }

        @Test
        void timestamptzInfinityIsPassedThroughAsDebeziumWritesIt() throws Exception {
            assertThat(converted(TIMESTAMPTZ, "infinity")).isEqualTo("infinity");
        }

        @Test
        void timestampThatOverflowedInDebeziumFails() {
            // Debezium's microseconds for '294276-12-31 23:59:59.999999' wrap around to this negative long.
            assertThatThrownBy(() -> converted(MICRO_TIMESTAMP, -9_223_372_036_853_775_810L))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("public.items")
                    .hasMessageContaining("column v");
        }

        @Test
        void dateOutsidePostgresRangeFails() {
            assertThatThrownBy(() -> converted(DATE, -100_000_000))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("date column v");
        }
    }

    @Nested
    class Operations {
        private final PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                .key("id", Schema.INT32_SCHEMA)
                .column("name", Schema.OPTIONAL_STRING_SCHEMA)
                .column("qty", Schema.OPTIONAL_INT32_SCHEMA)
                .build();

        @Test
        void snapshotReadBecomesRead() throws Exception {
            ChangeEvent event = normalized(items.read(items.row("id", 1, "name", "a", "qty", 2)));

            assertThat(event.op()).isEqualTo(Op.READ);
            assertThat(event.key()).isEqualTo(new Key(Map.of("id", 1)));
            assertThat(event.before()).isNull();
            assertThat(event.after().asMap()).containsExactly(entry("id", 1), entry("name", "a"), entry("qty", 2));
            assertThat(event.position().snapshot()).isTrue();
        }

        @Test
        void createBecomesInsert() throws Exception {
            ChangeEvent event = normalized(items.insert(items.row("id", 1, "name", "a", "qty", 2)));

            assertThat(event.op()).isEqualTo(Op.INSERT);
            assertThat(event.table()).isEqualTo(new TableId("shop", "public", "items"));
            assertThat(event.before()).isNull();
            assertThat(event.after().asMap()).containsExactly(entry("id", 1), entry("name", "a"), entry("qty", 2));
            assertThat(event.unchanged()).isEmpty();
            assertThat(event.version()).isEqualTo(VERSION);
        }

        @Test
        void updateKeepsBothImages() throws Exception {
            SourceRecord record = items.update(
                    items.row("id", 1, "name", "a", "qty", 2), items.row("id", 1, "name", "b", "qty", 2));

            ChangeEvent event = normalized(record);

            assertThat(event.op()).isEqualTo(Op.UPDATE);
            assertThat(event.before().asMap()).containsExactly(entry("id", 1), entry("name", "a"), entry("qty", 2));
            assertThat(event.after().asMap()).containsExactly(entry("id", 1), entry("name", "b"), entry("qty", 2));
        }

        @Test
        void updateWithoutOldRowHasNoBefore() throws Exception {
            ChangeEvent event = normalized(items.update(null, items.row("id", 1, "name", "b")));

            assertThat(event.before()).isNull();
            assertThat(event.after().asMap()).containsExactly(entry("id", 1), entry("name", "b"), entry("qty", null));
        }

        @Test
        void deleteWithDefaultReplicaIdentityHasKeyOnlyBefore() throws Exception {
            // PostgreSQL sends only the key; Debezium fills the other columns with nulls, or "" for NOT NULL text.
            ChangeEvent event = new EventNormalizer(DecimalMode.STRING, PLACEHOLDER, Set.of())
                    .normalize(items.delete(items.row("id", 1, "name", "")), 100L, 100L);

            assertThat(event.op()).isEqualTo(Op.DELETE);
            assertThat(event.isDelete()).isTrue();
            assertThat(event.key()).isEqualTo(new Key(Map.of("id", 1)));
            assertThat(event.before().asMap()).containsExactly(entry("id", 1));
            assertThat(event.after()).isNull();
        }

        @Test
        void deleteWithFullReplicaIdentityKeepsWholeOldRow() throws Exception {
            ChangeEvent event = normalized(items.delete(items.row("id", 1, "name", "a")));

            assertThat(event.before().asMap()).containsExactly(entry("id", 1), entry("name", "a"), entry("qty", null));
        }

        @Test
        void truncateHasNoKeyAndNoImages() throws Exception {
            ChangeEvent event = normalized(items.truncate());

            assertThat(event.op()).isEqualTo(Op.TRUNCATE);
            assertThat(event.key()).isEqualTo(Key.none());
            assertThat(event.before()).isNull();
            assertThat(event.after()).isNull();
            assertThat(event.unchanged()).isEmpty();
            assertThat(event.table()).isEqualTo(new TableId("shop", "public", "items"));
        }

        @Test
        void truncateOfTableWithoutPrimaryKeyIsAccepted() throws Exception {
            PostgresChangeRecords log = PostgresChangeRecords.table("public", "log")
                    .column("line", Schema.OPTIONAL_STRING_SCHEMA)
                    .build();

            assertThat(normalized(log.truncate()).op()).isEqualTo(Op.TRUNCATE);
        }

        @Test
        void compositeKeyKeepsKeyColumnOrder() throws Exception {
            PostgresChangeRecords lines = PostgresChangeRecords.table("sales", "order_lines")
                    .key("order_id", Schema.INT64_SCHEMA)
                    .key("line_no", Schema.INT16_SCHEMA)
                    .column("sku", Schema.OPTIONAL_STRING_SCHEMA)
                    .build();

            ChangeEvent event = normalized(
                    lines.insert(lines.row("order_id", 7L, "line_no", (short) 2, "sku", "X")));

            assertThat(event.key().columns()).containsExactly(entry("order_id", 7L), entry("line_no", (short) 2));
        }

        @Test
        void keyValuesFollowTheValueRules() throws Exception {
            PostgresChangeRecords events = PostgresChangeRecords.table("public", "events")
                    .key("day", io.debezium.time.Date.schema())
                    .key("id", Uuid.schema())
                    .build();

            ChangeEvent event = normalized(
                    events.insert(events.row("day", 19_782, "id", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")));

            assertThat(event.key().columns())
                    .containsExactly(entry("day", "2024-02-29"), entry("id", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        }
    }

    @Nested
    class UnchangedToast {
        private final PostgresChangeRecords docs = PostgresChangeRecords.table("public", "docs")
                .key("id", Schema.INT32_SCHEMA)
                .column("flag", Schema.OPTIONAL_INT32_SCHEMA)
                .column("body", Schema.OPTIONAL_STRING_SCHEMA)
                .column("blob", Schema.OPTIONAL_BYTES_SCHEMA)
                .column("doc", JSON)
                .column("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .column("scores", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
                .column("ids", SchemaBuilder.array(Schema.OPTIONAL_INT64_SCHEMA).optional().build())
                .column("refs", SchemaBuilder.array(Uuid.builder().optional().build()).optional().build())
                .column("blobs", SchemaBuilder.array(Schema.OPTIONAL_BYTES_SCHEMA).optional().build())
                .column("days", SchemaBuilder.array(DATE).optional().build())
                .column("attrs", JSON)
                .column("attrsMap",
                        SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .column("amount", numeric("NUMERIC"))
                .build();

        private static final byte[] PLACEHOLDER_BYTES = PLACEHOLDER.getBytes(StandardCharsets.US_ASCII);

        /** The forms Debezium 3.6 gives each column type when PostgreSQL did not send the value. */
        private Struct rowWithPlaceholders() {
            List<Integer> asInts = new java.util.ArrayList<>();
            List<Long> asLongs = new java.util.ArrayList<>();
            for (byte b : PLACEHOLDER_BYTES) {
                asInts.add((int) b);
                asLongs.add((long) b);
            }
            return docs.row("id", 1, "flag", 2,
                    "body", PLACEHOLDER,
                    "blob", PLACEHOLDER_BYTES,
                    "doc", PLACEHOLDER,
                    "tags", List.of(PLACEHOLDER),
                    "scores", asInts,
                    "ids", asLongs,
                    "refs", List.of(UUID.nameUUIDFromBytes(PLACEHOLDER_BYTES).toString()),
                    "blobs", List.of(PLACEHOLDER_BYTES),
                    "days", asInts,
                    "attrs", "{\"" + PLACEHOLDER + "\":\"" + PLACEHOLDER + "\"}",
                    "attrsMap", Map.of(PLACEHOLDER, PLACEHOLDER),
                    "amount", PLACEHOLDER);
        }

        @Test
        void placeholdersAreLeftOutOfTheNewRowAndListedAsUnchanged() throws Exception {
            ChangeEvent event = normalized(docs.update(null, rowWithPlaceholders()));

            assertThat(event.after().asMap()).containsExactly(entry("id", 1), entry("flag", 2));
            assertThat(event.unchanged()).containsExactlyInAnyOrder(
                    "body", "blob", "doc", "tags", "scores", "ids", "refs", "blobs", "days", "attrs", "attrsMap",
                    "amount");
        }

        @Test
        void placeholderInByteBufferFormIsRecognised() throws Exception {
            Struct after = docs.row("id", 1, "blob", ByteBuffer.wrap(PLACEHOLDER_BYTES));

            ChangeEvent event = normalized(docs.update(null, after));

            assertThat(event.after().has("blob")).isFalse();
            assertThat(event.unchanged()).containsExactly("blob");
        }

        @Test
        void changedValuesNextToPlaceholdersAreKept() throws Exception {
            Struct after = docs.row("id", 1, "body", "new text", "doc", PLACEHOLDER, "tags", List.of("a", PLACEHOLDER));

            ChangeEvent event = normalized(docs.update(null, after));

            assertThat(event.after().get("body")).isEqualTo("new text");
            assertThat(event.after().get("tags")).isEqualTo(List.of("a", PLACEHOLDER));
            assertThat(event.unchanged()).containsExactly("doc");
        }

        @Test
        void placeholdersInTheOldRowAreLeftOutWithoutBeingListed() throws Exception {
            Struct before = docs.row("id", 1, "flag", 1, "body", PLACEHOLDER);
            Struct after = docs.row("id", 1, "flag", 2, "body", "x");

            ChangeEvent event = normalized(docs.update(before, after));

            assertThat(event.before().has("body")).isFalse();
            assertThat(event.before().get("flag")).isEqualTo(1);
            assertThat(event.unchanged()).isEmpty();
        }

        @Test
        void insertedTextEqualToThePlaceholderIsData() throws Exception {
            // PostgreSQL sends every value of a new row, so here the text is what the user stored.
            ChangeEvent event = normalized(docs.insert(docs.row("id", 1, "body", PLACEHOLDER)));

            assertThat(event.after().get("body")).isEqualTo(PLACEHOLDER);
            assertThat(event.unchanged()).isEmpty();
        }

        @Test
        void configuredPlaceholderIsTheOneRecognised() throws Exception {
            EventNormalizer custom = new EventNormalizer(DecimalMode.STRING, "<unchanged>", FULL_IDENTITY);

            ChangeEvent event = custom.normalize(
                    docs.update(null, docs.row("id", 1, "body", "<unchanged>", "tags", List.of(PLACEHOLDER))),
                    VERSION, COMMIT_LSN);

            assertThat(event.unchanged()).containsExactly("body");
            assertThat(event.after().get("tags")).isEqualTo(List.of(PLACEHOLDER));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "ünchanged"})
        void emptyOrNonAsciiPlaceholderIsRejected(String placeholder) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new EventNormalizer(DecimalMode.STRING, placeholder, FULL_IDENTITY));
        }
    }

    @Nested
    class Positions {
        private final PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                .key("id", Schema.INT32_SCHEMA)
                .build();

        @Test
        void positionComesFromTheSourceBlockAndTheCallersCommitLsn() throws Exception {
            ChangeEvent event = normalized(items.insert(items.row("id", 1)));

            assertThat(event.position()).isEqualTo(new SourcePosition(LSN, COMMIT_LSN, TX_ID,
                    Instant.parse("2024-02-29T13:45:10.123456Z"), false));
        }

        @Test
        void commitTimeFallsBackToMillisecondsWithoutMicroseconds() throws Exception {
            SourceRecord record = items.insertWithSource(items.row("id", 1),
                    items.source(LSN, TX_ID, null, 1_709_214_310_123L, null));

            assertThat(normalized(record).position().commitTime())
                    .isEqualTo(Instant.parse("2024-02-29T13:45:10.123Z"));
        }

        @Test
        void missingTransactionIdStaysNull() throws Exception {
            SourceRecord record = items.insertWithSource(items.row("id", 1), items.source(LSN, null, 1L, 0L, null));

            assertThat(normalized(record).position().txId()).isNull();
        }

        @ParameterizedTest
        @CsvSource({"true, true", "first, true", "first_in_data_collection, true", "last_in_data_collection, true",
                "last, true", "incremental, true", "false, false", ", false"})
        void snapshotFlagFollowsDebeziumsSnapshotMarker(String marker, boolean snapshot) throws Exception {
            SourceRecord record = items.insertWithSource(items.row("id", 1), items.source(LSN, TX_ID, 1L, 0L, marker));

            assertThat(normalized(record).position().snapshot()).isEqualTo(snapshot);
        }
    }

    @Nested
    class Failures {
        @Test
        void tableWithoutPrimaryKeyIsRejectedNamingTheTable() {
            PostgresChangeRecords log = PostgresChangeRecords.table("public", "audit_log")
                    .column("line", Schema.OPTIONAL_STRING_SCHEMA)
                    .build();

            assertThatThrownBy(() -> normalized(log.insert(log.row("line", "secret value"))))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("public.audit_log")
                    .hasMessageContaining("primary key")
                    .hasMessageContaining("0/1A2B3C4D")
                    .hasMessageNotContaining("secret value")
                    .satisfies(e -> assertThat(((NormalizationException) e).table())
                            .isEqualTo(new TableId("shop", "public", "audit_log")));
        }

        @Test
        void invalidJsonFailsWithoutQuotingTheValue() {
            assertThatThrownBy(() -> converted(JSON, "{\"password\": \"hunter2\""))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("public.items")
                    .hasMessageContaining("0/1A2B3C4D")
                    .hasMessageContaining("json column v")
                    .hasMessageNotContaining("hunter2")
                    .hasNoCause();
        }

        @Test
        void jsonNumberBeyondBigDecimalFailsWithoutQuotingTheValue() {
            assertThatThrownBy(() -> converted(JSON, "{\"n\": 1e9999999999}"))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("json column v")
                    .hasMessageNotContaining("9999999999");
        }

        @Test
        void unknownStructTypeFailsNamingColumnAndType() {
            Schema composite = SchemaBuilder.struct().name("custom.Money").optional()
                    .field("amount", Schema.INT64_SCHEMA).build();
            Struct value = new Struct(composite).put("amount", 5L);

            assertThatThrownBy(() -> converted(composite, value))
                    .isInstanceOf(NormalizationException.class)
                    .hasMessageContaining("column v")
                    .hasMessageContaining("custom.Money");
        }

        @Test
        void unknownStructTypeThatIsNullDoesNotFail() throws Exception {
            Schema composite = SchemaBuilder.struct().name("custom.Money").optional()
                    .field("amount", Schema.INT64_SCHEMA).build();

            assertThat(converted(composite, null)).isNull();
        }

        @Test
        void recordsThatAreNotDataChangesAreRefused() {
            PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                    .key("id", Schema.INT32_SCHEMA)
                    .build();
            SourceRecord tombstone = new SourceRecord(Map.of(), Map.of(), items.topic(), null, null, null, null, null);

            assertThatIllegalArgumentException().isThrownBy(() -> normalized(tombstone));
        }
    }

    @Nested
    class DataChangeRecognition {
        private final PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                .key("id", Schema.INT32_SCHEMA)
                .build();

        @Test
        void envelopesAreDataChanges() {
            assertThat(EventNormalizer.isDataChange(items.insert(items.row("id", 1)))).isTrue();
            assertThat(EventNormalizer.isDataChange(items.truncate())).isTrue();
        }

        @Test
        void tombstonesHeartbeatsAndMessagesAreNot() {
            Schema heartbeat = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
                    .field("ts_ms", Schema.INT64_SCHEMA).build();
            Schema message = SchemaBuilder.struct().name("io.debezium.connector.postgresql.MessageValue")
                    .field("op", Schema.STRING_SCHEMA)
                    .field("source", PostgresChangeRecords.SOURCE_SCHEMA)
                    .field("message", SchemaBuilder.struct().optional().field("prefix", Schema.STRING_SCHEMA).build())
                    .build();

            assertThat(EventNormalizer.isDataChange(
                    new SourceRecord(Map.of(), Map.of(), "t", null, null, null, null, null))).isFalse();
            assertThat(EventNormalizer.isDataChange(new SourceRecord(Map.of(), Map.of(), "hb", null, null, null,
                    heartbeat, new Struct(heartbeat).put("ts_ms", 1L)))).isFalse();
            assertThat(EventNormalizer.isDataChange(new SourceRecord(Map.of(), Map.of(), "m", null, null, null,
                    message, new Struct(message).put("op", "m").put("source", items.streamedSource())))).isFalse();
        }
    }

    @Nested
    class SchemaChanges {
        @Test
        void newSchemaOnTheSameTopicIsPickedUp() throws Exception {
            PostgresChangeRecords v1 = PostgresChangeRecords.table("public", "items")
                    .key("id", Schema.INT32_SCHEMA)
                    .column("name", Schema.OPTIONAL_STRING_SCHEMA)
                    .build();
            PostgresChangeRecords v2 = PostgresChangeRecords.table("public", "items")
                    .key("id", Schema.INT32_SCHEMA)
                    .column("name", Schema.OPTIONAL_STRING_SCHEMA)
                    .column("created", MICRO_TIMESTAMP)
                    .build();
            EventNormalizer normalizer = new EventNormalizer(DecimalMode.STRING, PLACEHOLDER, FULL_IDENTITY);

            ChangeEvent first = normalizer.normalize(v1.insert(v1.row("id", 1, "name", "a")), 1, COMMIT_LSN);
            ChangeEvent second = normalizer.normalize(
                    v2.insert(v2.row("id", 2, "name", "b", "created", 0L)), 2, COMMIT_LSN);
            ChangeEvent third = normalizer.normalize(v1.insert(v1.row("id", 3, "name", "c")), 3, COMMIT_LSN);

            assertThat(first.after().columns()).containsExactly("id", "name");
            assertThat(second.after().asMap()).containsExactly(entry("id", 2), entry("name", "b"),
                    entry("created", "1970-01-01T00:00:00"));
            assertThat(third.after().columns()).containsExactly("id", "name");
        }

        @Test
        void truncateBetweenRowChangesDoesNotLoseTheKeyLayout() throws Exception {
            PostgresChangeRecords items = PostgresChangeRecords.table("public", "items")
                    .key("id", Schema.INT32_SCHEMA)
                    .build();
            EventNormalizer normalizer = new EventNormalizer(DecimalMode.STRING, PLACEHOLDER, FULL_IDENTITY);

            normalizer.normalize(items.truncate(), 1, COMMIT_LSN);
            ChangeEvent insert = normalizer.normalize(items.insert(items.row("id", 1)), 2, COMMIT_LSN);
            normalizer.normalize(items.truncate(), 3, COMMIT_LSN);
            ChangeEvent delete = normalizer.normalize(items.delete(items.row("id", 1)), 4, COMMIT_LSN);

            assertThat(insert.key()).isEqualTo(new Key(Map.of("id", 1)));
            assertThat(delete.key()).isEqualTo(new Key(Map.of("id", 1)));
        }
    }
}
