package io.sluice.engine.offset;

import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens the {@link OffsetStore} a pipeline's configuration names, for the engine (through Debezium, see
 * docs/adr/0002-offset-store-seam.md) and for commands that read or reset offsets of a stopped pipeline.
 */
public final class OffsetStores {
    private OffsetStores() {
    }

    /** Opens the pipeline's store; the caller closes it. */
    public static OffsetStore open(OffsetStoreConfig offsets, PostgresSourceConfig source)
            throws OffsetStoreException {
        return open(offsets.kind(), settings(offsets, source));
    }

    /** Opens a store of {@code kind} from settings made by {@link #settings}. */
    public static OffsetStore open(String kind, Map<String, String> settings) throws OffsetStoreException {
        OffsetStoreProvider provider = ServiceLoader.load(OffsetStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals(kind))
                .findFirst()
                .orElseThrow(() -> new OffsetStoreException("no offset store of kind '" + kind
                        + "' is available (is the sluice-offsets-store module on the class path?)"));
        return provider.create(settings);
    }

    /**
     * The store's typed configuration flattened into the settings its {@link OffsetStoreProvider} reads: the only
     * place where this happens, because Debezium can hand its offset store nothing but strings.
     *
     * @param source the pipeline's source, whose database a JDBC store without a URL of its own uses
     */
    public static Map<String, String> settings(OffsetStoreConfig offsets, PostgresSourceConfig source) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (offsets instanceof FileOffsetStoreConfig file) {
            settings.put("path", file.path().toAbsolutePath().normalize().toString());
        } else {
            throw new IllegalArgumentException("no settings for offset store kind " + offsets.kind());
        }
        return settings;
    }
}
