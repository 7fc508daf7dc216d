package io.sluice.engine.debezium;

import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Carries an offset store's settings ({@link OffsetStores#settings}) through Debezium's properties to
 * {@link OffsetBackingStoreAdapter}: Debezium creates its offset store from a class name with a no-argument
 * constructor, so properties are the only way to reach it (docs/adr/0002-offset-store-seam.md).
 */
final class OffsetStoreSettings {
    static final String PREFIX = "sluice.offsets.";
    static final String PIPELINE = "sluice.pipeline";
    static final String KIND = PREFIX + "kind";

    private OffsetStoreSettings() {
    }

    static void write(PipelineId pipeline, OffsetStoreConfig config, PostgresSourceConfig source, Properties target) {
        target.setProperty(PIPELINE, pipeline.name());
        target.setProperty(KIND, config.kind());
        OffsetStores.settings(config, source).forEach((key, value) -> target.setProperty(PREFIX + key, value));
    }

    /** The settings of the store, without the {@value #PREFIX} prefix and without the kind. */
    static Map<String, String> read(Map<String, ?> engineConfig) {
        Map<String, String> settings = new LinkedHashMap<>();
        engineConfig.forEach((key, value) -> {
            if (key.startsWith(PREFIX) && !key.equals(KIND) && value != null) {
                settings.put(key.substring(PREFIX.length()), value.toString());
            }
        });
        return settings;
    }
}
