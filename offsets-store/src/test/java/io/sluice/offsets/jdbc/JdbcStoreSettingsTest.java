package io.sluice.offsets.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.offset.OffsetStoreException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcStoreSettingsTest {

    @Test
    void readsEverySetting() throws OffsetStoreException {
        JdbcStoreSettings settings = JdbcStoreSettings.from(Map.of("url", "jdbc:postgresql://db:5432/shop",
                "user", "sluice", "password", "s3cret-pw", "schema", "sluice_meta", "table", "offsets",
                "connect-timeout-ms", "2500"));

        assertThat(settings.url()).isEqualTo("jdbc:postgresql://db:5432/shop");
        assertThat(settings.user()).isEqualTo("sluice");
        assertThat(settings.password().reveal()).isEqualTo("s3cret-pw");
        assertThat(settings.tableName()).isEqualTo("sluice_meta.offsets");
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void absentSettingsTakeTheDefaults() throws OffsetStoreException {
        JdbcStoreSettings settings = JdbcStoreSettings.from(Map.of("url", "jdbc:postgresql://db/shop"));

        assertThat(settings.user()).isNull();
        assertThat(settings.password()).isNull();
        assertThat(settings.tableName()).isEqualTo("public.sluice_offsets");
        assertThat(settings.connectTimeout()).isEqualTo(JdbcStoreSettings.DEFAULT_CONNECT_TIMEOUT);
    }

    @Test
    void addressLeavesOutParametersAndUserInformation() throws OffsetStoreException {
        assertThat(address("jdbc:postgresql://db:5432/shop?user=sluice&password=s3cret-pw&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/shop");
        assertThat(address("jdbc:postgresql://sluice:s3cret-pw@db:5432/shop"))
                .isEqualTo("jdbc:postgresql://db:5432/shop");
        assertThat(address("jdbc:postgresql://db1:5432,db2:5432/shop")).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/shop");
    }

    @Test
    void missingUrlOrBadTimeoutIsRefused() {
        assertThatThrownBy(() -> JdbcStoreSettings.from(Map.of()))
                .isInstanceOf(OffsetStoreException.class).hasMessageContaining("needs a url");
        assertThatThrownBy(() -> JdbcStoreSettings.from(Map.of("url", "jdbc:postgresql://db/shop",
                "connect-timeout-ms", "10s")))
                .isInstanceOf(OffsetStoreException.class).hasMessageContaining("connect-timeout-ms");
    }

    private static String address(String url) throws OffsetStoreException {
        return JdbcStoreSettings.from(Map.of("url", url)).address();
    }
}
