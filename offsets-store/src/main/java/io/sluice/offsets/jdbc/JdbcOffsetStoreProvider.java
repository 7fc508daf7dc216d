package io.sluice.offsets.jdbc;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStoreProvider;
import java.time.Clock;
import java.util.Map;

/** Opens {@link JdbcOffsetStore}s; the settings are those of {@link JdbcStoreSettings#from}. */
public final class JdbcOffsetStoreProvider implements OffsetStoreProvider {
    @Override
    public String kind() {
        return "jdbc";
    }

    @Override
    public OffsetStore create(Map<String, String> settings) throws OffsetStoreException {
        return JdbcOffsetStore.open(JdbcStoreSettings.from(settings), Clock.systemUTC());
    }
}
