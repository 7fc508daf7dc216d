package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresCatalogTest {
    private static final List<String> CATALOG = List.of("audit.log", "public.orders", "public.sluice_offsets",
            "public.sluice_signal");
    private static final JdbcOffsetStoreConfig IN_SOURCE = new JdbcOffsetStoreConfig(null, null, null, null, null);

    private static PostgresSourceConfig source(List<String> tables, List<String> excludeTables) {
        return new PostgresSourceConfig("localhost", 5432, "shop", "sluice", null, "shop_slot", "shop_pub", tables,
                excludeTables, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static List<String> resolve(PostgresSourceConfig source, String offsetsTable) throws SQLException {
        return PostgresCatalog.resolveTables(source, offsetsTable, () -> CATALOG);
    }

    @Test
    void patternsNeverCaptureThePipelinesOwnOffsetsTable() throws SQLException {
        String offsets = PostgresCatalog.offsetsTable(IN_SOURCE);

        assertThat(offsets).isEqualTo("public.sluice_offsets");
        assertThat(resolve(source(List.of("public.*"), List.of("public.sluice_signal")), offsets))
                .containsExactly("public.orders");
        assertThat(resolve(source(List.of("*"), null), offsets))
                .containsExactly("audit.log", "public.orders", "public.sluice_signal");
    }

    @Test
    void offsetsElsewhereLeaveThePatternsAsTheyAre() throws SQLException {
        JdbcOffsetStoreConfig otherDatabase = new JdbcOffsetStoreConfig("jdbc:postgresql://offsets-db:5432/sluice",
                null, null, null, null);

        assertThat(PostgresCatalog.offsetsTable(otherDatabase)).isNull();
        assertThat(PostgresCatalog.offsetsTable(new FileOffsetStoreConfig(Path.of("shop.offsets")))).isNull();
        assertThat(resolve(source(List.of("public.*"), null), null))
                .containsExactly("public.orders", "public.sluice_offsets", "public.sluice_signal");
    }

    @Test
    void namingTheOffsetsTableAsACapturedTableIsRefused() {
        IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class,
                () -> resolve(source(List.of("public.orders", "public.sluice_offsets"), null),
                        PostgresCatalog.offsetsTable(IN_SOURCE)));

        assertThat(error).hasMessage("table public.sluice_offsets is this pipeline's offsets table (offsets: jdbc);"
                + " capturing it would send every offset save to the sinks as a change. Remove it from"
                + " source.postgres.tables");
    }
}
