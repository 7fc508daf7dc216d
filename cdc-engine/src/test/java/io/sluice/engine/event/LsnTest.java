package io.sluice.engine.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @Test
    void formatsAsPostgresDoes() {
        assertThat(Lsn.format(0x16B374D848L)).isEqualTo("16/B374D848");
        assertThat(Lsn.format(0)).isEqualTo("0/0");
        assertThat(Lsn.format(26365256)).isEqualTo("0/1924D48");
        assertThat(Lsn.format(0xFFFFFFFFL)).isEqualTo("0/FFFFFFFF");
        assertThat(Lsn.format(0x100000000L)).isEqualTo("1/0");
    }

    @Test
    void formatsEveryValueAsTheHexOfItsHalves() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            long lsn = i == 0 ? -1L : random.nextLong() >>> random.nextInt(64);
            assertThat(Lsn.format(lsn)).isEqualTo(Long.toHexString(lsn >>> 32).toUpperCase() + "/"
                    + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase());
        }
    }

    @Test
    void parsesPostgresTextFormInEitherCase() {
        assertThat(Lsn.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.parse("16/b374d848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.parse("0/0")).isZero();
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(-1L);
    }

    @Test
    void formatAndParseRoundTrip() {
        for (long lsn : new long[] {1, 26365256, 0x16B374D848L, 0x7FFFFFFF00000001L}) {
            assertThat(Lsn.parse(Lsn.format(lsn))).isEqualTo(lsn);
            assertThat(Lsn.parseTextOrNumber(Lsn.format(lsn))).isEqualTo(lsn);
            assertThat(Lsn.parseTextOrNumber(Long.toString(lsn))).isEqualTo(lsn);
        }
    }

    @Test
    void acceptsDecimalAsDebeziumStoresIt() {
        assertThat(Lsn.parseTextOrNumber("97500387400")).isEqualTo(97_500_387_400L);
        assertThat(Lsn.parseTextOrNumber(" 26365256 ")).isEqualTo(26_365_256L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "16/", "/B374D848", "16B374D848", "G/1", "1/2/3", "123456789/0", "0/123456789",
        "+1/0", "-1/0", "0x16/B374D848", " 16 /B374D848"})
    void rejectsMalformedTextForm(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16/B374D848");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "+5", "1.5", "1e9", "abc", "99999999999999999999", "9223372036854775808",
        "16/B374D848x"})
    void rejectsWhatIsNeitherForm(String text) {
        assertThatThrownBy(() -> Lsn.parseTextOrNumber(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an LSN")
                .hasMessageContaining("16/B374D848")
                .hasMessageContaining("decimal");
    }
}
