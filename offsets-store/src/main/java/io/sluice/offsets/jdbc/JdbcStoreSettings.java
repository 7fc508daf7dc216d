package io.sluice.offsets.jdbc;

import io.sluice.config.Secret;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.engine.offset.OffsetStoreException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link JdbcOffsetStore} keeps offsets, read back from the settings {@code OffsetStores.settings} made.
 * The password is a {@link Secret}, so this record's {@code toString} never shows it.
 *
 * @param url            {@code jdbc:postgresql://host:port/database}, possibly with driver parameters
 * @param user           the role, or {@code null} to leave it to the driver
 * @param password       the role's password, or {@code null}
 * @param schema         schema of the offsets table, which must exist
 * @param table          the offsets table, created when missing
 * @param connectTimeout how long to wait for a connection
 */
public record JdbcStoreSettings(String url, String user, Secret password, String schema, String table,
        Duration connectTimeout) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public JdbcStoreSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /** Reads the settings of the {@code jdbc} kind (see {@code OffsetStores.settings}). */
    public static JdbcStoreSettings from(Map<String, String> settings) throws OffsetStoreException {
        String url = settings.get("url");
        if (url == null || url.isBlank()) {
            throw new OffsetStoreException("the jdbc offset store needs a url");
        }
        String password = settings.get("password");
        return new JdbcStoreSettings(url, settings.get("user"), password == null ? null : Secret.of(password),
                settings.getOrDefault("schema", JdbcOffsetStoreConfig.DEFAULT_SCHEMA),
                settings.getOrDefault("table", JdbcOffsetStoreConfig.DEFAULT_TABLE),
                millis(settings, "connect-timeout-ms", DEFAULT_CONNECT_TIMEOUT));
    }

    /** The URL without parameters or user information, which may carry credentials: safe for messages. */
    public String address() {
        String address = url;
        int query = address.indexOf('?');
        if (query >= 0) {
            address = address.substring(0, query);
        }
        int hostStart = address.indexOf("//");
        int at = address.indexOf('@', hostStart + 2);
        int path = address.indexOf('/', hostStart + 2);
        if (hostStart >= 0 && at >= 0 && (path < 0 || at < path)) {
            address = address.substring(0, hostStart + 2) + address.substring(at + 1);
        }
        return address;
    }

    /** {@code schema.table}, for messages. */
    public String tableName() {
        return schema + "." + table;
    }

    private static Duration millis(Map<String, String> settings, String key, Duration fallback)
            throws OffsetStoreException {
        String value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new OffsetStoreException("the jdbc offset store's " + key + " must be a number of milliseconds, not '"
                    + value + "'", e);
        }
    }
}
