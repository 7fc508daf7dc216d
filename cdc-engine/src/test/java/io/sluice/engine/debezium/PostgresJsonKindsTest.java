package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.source.DecimalMode;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresJsonKindsTest {

    @ParameterizedTest(name = "{0} is written as {1}")
    @CsvSource({
        "int2, SMALL_INTEGER",
        "int4, INTEGER",
        "int8, BIG_INTEGER",
        "oid, BIG_INTEGER",
        "float4, FLOAT",
        "float8, FLOAT",
        "bool, BOOLEAN",
        "text, TEXT",
        "varchar, TEXT",
        "bpchar, TEXT",
        "uuid, TEXT",
        "inet, TEXT",
        "citext, TEXT",
        "date, DATE",
        "time, TIME",
        "timetz, TIME",
        "timestamp, TIMESTAMP",
        "timestamptz, TIMESTAMPTZ",
        "interval, INTERVAL",
        "bytea, BASE64",
        "varbit, BASE64",
        "json, JSON",
        "jsonb, JSON",
        "hstore, OBJECT",
        "point, OBJECT",
        "box, UNKNOWN",
    })
    void aBaseTypeIsWrittenAsDebeziumAndTheConvertersMakeIt(String type, JsonKind kind) {
        assertThat(PostgresJsonKinds.shape("c", type, type, "b", -1, null, null, DecimalMode.STRING))
                .isEqualTo(new ColumnShape("c", type, kind, false));
    }

    @Test
    void numericAndMoneyFollowTheDecimalsSetting() {
        assertThat(PostgresJsonKinds.shape("c", "numeric(10,2)", "numeric", "b", 655366, null, null,
                DecimalMode.STRING).kind()).isEqualTo(JsonKind.DECIMAL_STRING);
        assertThat(PostgresJsonKinds.shape("c", "money", "money", "b", -1, null, null, DecimalMode.NUMBER).kind())
                .isEqualTo(JsonKind.DECIMAL_NUMBER);
    }

    @Test
    void aSingleBitIsABooleanAndLongerBitStringsAreBytes() {
        assertThat(PostgresJsonKinds.shape("c", "bit(1)", "bit", "b", 1, null, null, DecimalMode.STRING).kind())
                .isEqualTo(JsonKind.BOOLEAN);
        assertThat(PostgresJsonKinds.shape("c", "bit(8)", "bit", "b", 8, null, null, DecimalMode.STRING).kind())
                .isEqualTo(JsonKind.BASE64);
    }

    @Test
    void enumsAndRangesAreText() {
        assertThat(PostgresJsonKinds.shape("c", "mood", "mood", "e", -1, null, null, DecimalMode.STRING).kind())
                .isEqualTo(JsonKind.TEXT);
        assertThat(PostgresJsonKinds.shape("c", "int4range", "int4range", "r", -1, null, null, DecimalMode.STRING)
                .kind()).isEqualTo(JsonKind.TEXT);
    }

    @Test
    void anArrayIsWrittenAsItsElementsAre() {
        assertThat(PostgresJsonKinds.shape("c", "integer[]", "_int4", "b", -1, "int4", "b", DecimalMode.STRING))
                .isEqualTo(new ColumnShape("c", "integer[]", JsonKind.INTEGER, true));
        assertThat(PostgresJsonKinds.shape("c", "mood[]", "_mood", "b", -1, "mood", "e", DecimalMode.STRING))
                .isEqualTo(new ColumnShape("c", "mood[]", JsonKind.TEXT, true));
    }
}
