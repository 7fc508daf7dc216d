package io.sluice.engine.offset;

import io.sluice.config.Secret;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.PostgresSourceConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

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
     * place where this happens, because Debezium can hand its offset store nothing but strings. Secrets are among
     * them (a JDBC password, Kafka client credentials): never log the result.
     *
     * <ul>
     *   <li>{@code file}: {@code path}</li>
     *   <li>{@code jdbc}: {@code url}, {@code user}, {@code password} (when there is one), {@code schema},
     *       {@code table}, {@code connect-timeout-ms}; without a URL of its own the store uses the source's
     *       database, user and password</li>
     *   <li>{@code kafka}: {@code bootstrap-servers}, {@code topic}, {@code replication-factor} (when set), and
     *       {@code client.<kafka-clients key>} for each client setting</li>
     * </ul>
     *
     * @param source the pipeline's source, whose database a JDBC store without a URL of its own uses
     */
    public static Map<String, String> settings(OffsetStoreConfig offsets, PostgresSourceConfig source) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (offsets instanceof FileOffsetStoreConfig file) {
            settings.put("path", file.path().toAbsolutePath().normalize().toString());
        } else if (offsets instanceof JdbcOffsetStoreConfig jdbc) {
            putJdbc(jdbc, source, settings);
        } else if (offsets instanceof KafkaOffsetStoreConfig kafka) {
            settings.put("bootstrap-servers", kafka.bootstrapServers());
            settings.put("topic", kafka.topic());
            if (kafka.replicationFactor() != null) {
                settings.put("replication-factor", kafka.replicationFactor().toString());
            }
            new TreeMap<>(kafka.client()).forEach((key, value) -> settings.put("client." + key, value));
        } else {
            throw new IllegalArgumentException("no settings for offset store kind " + offsets.kind());
        }
        return settings;
    }

    private static void putJdbc(JdbcOffsetStoreConfig jdbc, PostgresSourceConfig source, Map<String, String> settings) {
        // Only a URL-less store borrows the source's role; with a URL of its own, an absent user or password is
        // left to the driver (e.g. trust authentication), as the config's validation already insists.
        boolean own = !jdbc.inSourceDatabase();
        settings.put("url", own ? jdbc.url()
                : "jdbc:postgresql://" + hostForUrl(source.host()) + ":" + source.port() + "/" + URLEncoder.encode(source.database(), StandardCharsets.UTF_8));
        String user = own ? jdbc.user() : source.user();
        if (user != null) {
            settings.put("user", user);
        }
        Secret password = own ? jdbc.password() : source.password();
        if (password != null) {
            settings.put("password", password.reveal());
        }
        settings.put("schema", jdbc.schema());
        settings.put("table", jdbc.table());
        settings.put("connect-timeout-ms", Long.toString(source.connectTimeout().toMillis()));
    }

    /** An IPv6 literal needs brackets in a URL ({@code [::1]}). */
    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
