package io.sluice.engine.offset;

import java.util.Map;

/**
 * Creates an {@link OffsetStore} of one kind from the settings the engine hands to Debezium. Found through
 * {@link java.util.ServiceLoader}: Debezium instantiates its offset store from a class name, so the one adapter it
 * creates looks the real store up by kind here (see docs/adr/0002-offset-store-seam.md).
 */
public interface OffsetStoreProvider {

    /** The kind this provider creates, as written in YAML (e.g. {@code file}). */
    String kind();

    /**
     * @param settings the store's settings as made by {@link OffsetStores#settings}
     */
    OffsetStore create(Map<String, String> settings) throws OffsetStoreException;
}
