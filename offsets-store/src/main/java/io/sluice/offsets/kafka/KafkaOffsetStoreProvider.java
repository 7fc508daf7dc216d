package io.sluice.offsets.kafka;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStoreProvider;
import java.time.Clock;
import java.util.Map;

/** Opens {@link KafkaOffsetStore}s; the settings are described at {@link KafkaStoreSettings}. */
public final class KafkaOffsetStoreProvider implements OffsetStoreProvider {
    @Override
    public String kind() {
        return "kafka";
    }

    @Override
    public OffsetStore create(Map<String, String> settings) throws OffsetStoreException {
        return KafkaOffsetStore.open(settings, Clock.systemUTC());
    }
}
