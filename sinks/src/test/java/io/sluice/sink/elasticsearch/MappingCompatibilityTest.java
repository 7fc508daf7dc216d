package io.sluice.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import io.sluice.sink.elasticsearch.MappingCompatibility.Level;
import io.sluice.sink.elasticsearch.MappingCompatibility.MappedField;
import io.sluice.sink.elasticsearch.MappingCompatibility.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MappingCompatibilityTest {

    @ParameterizedTest(name = "{0} into {1}: {2}")
    @CsvSource({
        // Text goes into keyword and text fields, and nowhere numeric, boolean or structured.
        "TEXT, keyword, OK",
        "TEXT, text, OK",
        "TEXT, wildcard, OK",
        "TEXT, long, ERROR",
        "TEXT, double, ERROR",
        "TEXT, boolean, ERROR",
        "TEXT, date, ERROR",
        "TEXT, object, ERROR",
        "TEXT, binary, ERROR",
        "TEXT, ip, WARN",
        "TEXT, constant_keyword, WARN",
        // Whole numbers: a narrower field refuses the larger values.
        "SMALL_INTEGER, short, OK",
        "INTEGER, integer, OK",
        "INTEGER, short, WARN",
        "BIG_INTEGER, long, OK",
        "BIG_INTEGER, integer, WARN",
        "BIG_INTEGER, unsigned_long, WARN",
        "BIG_INTEGER, double, WARN",
        "INTEGER, double, OK",
        "INTEGER, keyword, OK",
        "INTEGER, boolean, ERROR",
        "INTEGER, date, WARN",
        // Floating and exact decimals.
        "FLOAT, double, OK",
        "FLOAT, float, WARN",
        "FLOAT, long, WARN",
        "DECIMAL_STRING, double, OK",
        "DECIMAL_STRING, scaled_float, OK",
        "DECIMAL_STRING, keyword, OK",
        "DECIMAL_STRING, long, WARN",
        "DECIMAL_STRING, date, ERROR",
        "DECIMAL_NUMBER, half_float, WARN",
        "BOOLEAN, boolean, OK",
        "BOOLEAN, long, ERROR",
        // Dates and times as ISO-8601 text.
        "DATE, date, OK",
        "TIMESTAMP, date_nanos, OK",
        "TIMESTAMPTZ, date, OK",
        "TIMESTAMPTZ, integer, ERROR",
        "TIMESTAMPTZ, keyword, OK",
        "TIME, date, ERROR",
        "TIME, keyword, OK",
        "INTERVAL, long, ERROR",
        "BASE64, binary, OK",
        "BASE64, long, ERROR",
        // Structured values.
        "JSON, object, OK",
        "JSON, flattened, OK",
        "JSON, nested, OK",
        "JSON, keyword, WARN",
        "OBJECT, object, OK",
        "OBJECT, keyword, ERROR",
        "OBJECT, geo_point, ERROR",
        "INTEGER, alias, ERROR",
        "TEXT, dense_vector, WARN",
        "UNKNOWN, long, OK",
    })
    void aFieldTypeTakesAColumnsValuesOrSaysWhyNot(JsonKind kind, String type, Level expected) {
        Verdict verdict = MappingCompatibility.of(column(kind, false), new MappedField(type, null, true));

        assertThat(verdict.level()).isEqualTo(expected);
        assertThat(verdict.reason() == null).isEqualTo(expected == Level.OK);
    }

    @Test
    void anArrayColumnIsJudgedByItsElements() {
        assertThat(MappingCompatibility.of(column(JsonKind.TEXT, true), new MappedField("keyword", null, true))
                .level()).isEqualTo(Level.OK);
        assertThat(MappingCompatibility.of(column(JsonKind.TEXT, true), new MappedField("long", null, true))
                .level()).isEqualTo(Level.ERROR);
    }

    @Test
    void aDisabledObjectTakesAnything() {
        assertThat(MappingCompatibility.of(column(JsonKind.TIMESTAMPTZ, false), new MappedField("object", null, false))
                .level()).isEqualTo(Level.OK);
    }

    @Test
    void aDateFieldWithItsOwnFormatIsAWarningToCheckTheFormatNotAnError() {
        Verdict time = MappingCompatibility.of(column(JsonKind.TIME, false),
                new MappedField("date", "HH:mm:ss.SSSSSS", true));
        Verdict timestamp = MappingCompatibility.of(column(JsonKind.TIMESTAMPTZ, false),
                new MappedField("date", "yyyy-MM-dd", true));
        Verdict defaultFormat = MappingCompatibility.of(column(JsonKind.TIMESTAMPTZ, false),
                new MappedField("date", "strict_date_optional_time||epoch_millis", true));

        assertThat(time.level()).isEqualTo(Level.WARN);
        assertThat(time.reason()).contains("HH:mm:ss.SSSSSS").contains("13:45:10.123456");
        assertThat(timestamp.level()).isEqualTo(Level.WARN);
        assertThat(defaultFormat.level()).isEqualTo(Level.OK);
    }

    @Test
    void aRefusalSaysWhatTheFieldIs() {
        assertThat(MappingCompatibility.of(column(JsonKind.TIMESTAMPTZ, false), new MappedField("integer", null, true))
                .reason()).isEqualTo("an integer field refuses them");
    }

    @Test
    void theSuggestedTypeOfEveryKindTakesItsValues() {
        for (JsonKind kind : JsonKind.values()) {
            MappedField suggested = new MappedField(MappingCompatibility.suggestedType(kind), null, true);
            assertThat(MappingCompatibility.of(column(kind, false), suggested).level()).as(kind.name())
                    .isEqualTo(Level.OK);
        }
    }

    @Test
    void aMappingIsReadWithItsDynamicSettingAndObjectFieldsWithoutAType() throws Exception {
        IndexMapping mapping = IndexMapping.parse(new ObjectMapper().readTree("""
                {"dynamic": "strict", "properties": {"id": {"type": "long"},
                 "created": {"type": "date", "format": "epoch_second"},
                 "doc": {"properties": {"a": {"type": "keyword"}}}, "raw": {"type": "object", "enabled": false}}}
                """));

        assertThat(mapping.strict()).isTrue();
        assertThat(mapping.mapsNewFields()).isFalse();
        assertThat(mapping.fields().get("id")).isEqualTo(new MappedField("long", null, true));
        assertThat(mapping.fields().get("created")).isEqualTo(new MappedField("date", "epoch_second", true));
        assertThat(mapping.fields().get("doc")).isEqualTo(new MappedField("object", null, true));
        assertThat(mapping.fields().get("raw")).isEqualTo(new MappedField("object", null, false));
        assertThat(IndexMapping.parse(new ObjectMapper().readTree("{}")).mapsNewFields()).isTrue();
    }

    private static ColumnShape column(JsonKind kind, boolean array) {
        return new ColumnShape("c", "some type", kind, array);
    }
}
