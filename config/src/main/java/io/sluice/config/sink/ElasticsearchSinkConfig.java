package io.sluice.config.sink;

import io.sluice.config.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Keeps one Elasticsearch index per table in sync: one document per row, its id from the primary key, written with
 * external versions so that replays and late events never overwrite newer data. See docs/sinks/elasticsearch.md.
 *
 * @param urls           nodes to send requests to, e.g. {@code https://es-1:9200}; requests are spread over them
 * @param index          index name template; {@code {database}}, {@code {schema}} and {@code {table}} are replaced
 *                       per event and the result is lower-cased (default {@code {table}})
 * @param alias          optional alias template (same placeholders) added to an index when Sluice creates it
 * @param settings       index settings applied when Sluice creates a missing index
 * @param mappings       index mappings applied when Sluice creates a missing index
 * @param indexFile      a JSON file with {@code settings} and/or {@code mappings}, the body of a create-index
 *                       request; instead of {@code settings} and {@code mappings} written inline
 * @param gcDeletes      {@code index.gc_deletes} of indices Sluice creates: how long Elasticsearch remembers a
 *                       deleted document's version, i.e. the window in which a replayed older change cannot bring a
 *                       deleted document back even for a moment (default 1h)
 * @param truncate       what a truncate of the table does to its index (default {@code delete})
 * @param auth           credentials: basic ({@code username}/{@code password}) or {@code api-key}
 * @param tls            trust for {@code https} URLs
 * @param bulk           how a batch is cut into bulk requests
 * @param requestTimeout how long one request may take before it is failed as retriable (default 30s)
 * @param connectTimeout how long to wait for a connection (default 5s)
 * @param onFailure      what to do with a document Elasticsearch rejects for good, e.g. a mapping conflict
 *                       (default fail)
 * @param tables         the captured tables this sink receives (default all), see {@link SinkConfig#tables()}
 * @param batchSize      most events per write (default {@value SinkConfig#DEFAULT_BATCH_SIZE})
 * @param retry          backoff after transient failures (default: the pipeline's)
 */
public record ElasticsearchSinkConfig(
        List<String> urls,
        String index,
        String alias,
        Map<String, Object> settings,
        Map<String, Object> mappings,
        Path indexFile,
        Duration gcDeletes,
        TruncateAction truncate,
        Auth auth,
        Tls tls,
        Bulk bulk,
        Duration requestTimeout,
        Duration connectTimeout,
        FailurePolicy onFailure,
        List<String> tables,
        Integer batchSize,
        RetryConfig retry) implements SinkConfig {

    public static final String DEFAULT_INDEX = "{table}";
    public static final Duration DEFAULT_GC_DELETES = Duration.ofHours(1);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public ElasticsearchSinkConfig {
        urls = urls == null ? List.of() : List.copyOf(urls);
        index = index == null ? DEFAULT_INDEX : index;
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        mappings = mappings == null ? Map.of() : Map.copyOf(mappings);
        gcDeletes = gcDeletes == null ? DEFAULT_GC_DELETES : gcDeletes;
        truncate = truncate == null ? TruncateAction.DELETE : truncate;
        auth = auth == null ? Auth.NONE : auth;
        tls = tls == null ? Tls.NONE : tls;
        bulk = bulk == null ? Bulk.DEFAULT : bulk;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        onFailure = onFailure == null ? FailurePolicy.FAIL : onFailure;
        tables = tables == null ? List.of() : List.copyOf(tables);
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    /** A sink on {@code urls} with every other key at its default. */
    public static ElasticsearchSinkConfig of(List<String> urls) {
        return new ElasticsearchSinkConfig(urls, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    @Override
    public String kind() {
        return "elasticsearch";
    }

    /**
     * Credentials for every request; at most one kind. Both are sent as an {@code Authorization} header and are never
     * logged.
     *
     * @param username basic authentication user
     * @param password basic authentication password
     * @param apiKey   an API key as Elasticsearch returns it encoded ({@code base64(id:key)})
     */
    public record Auth(String username, Secret password, Secret apiKey) {
        public static final Auth NONE = new Auth(null, null, null);

        public boolean isBasic() {
            return username != null;
        }

        public boolean isApiKey() {
            return apiKey != null;
        }
    }

    /**
     * @param caFile PEM file with the certificate(s) of the authority that signed the nodes' certificates; without it
     *               the JVM's default trust store is used
     */
    public record Tls(Path caFile) {
        public static final Tls NONE = new Tls(null);
    }

    /**
     * How the sink cuts a batch from the dispatcher into bulk requests. Batches themselves come from the source
     * (up to 2048 events as they arrive), so there is no linger time here.
     *
     * @param maxActions   most operations in one bulk request (default 1000)
     * @param maxBytes     most bytes of one bulk request body (default 5 MiB); a single larger document goes alone
     * @param maxInFlight  bulk requests sent at the same time (default 2); a document's operations always travel in
     *                     order on one of them
     */
    public record Bulk(Integer maxActions, Integer maxBytes, Integer maxInFlight) {
        public static final int DEFAULT_MAX_ACTIONS = 1000;
        public static final int DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
        public static final int DEFAULT_MAX_IN_FLIGHT = 2;
        public static final Bulk DEFAULT = new Bulk(null, null, null);

        public Bulk {
            maxActions = maxActions == null ? DEFAULT_MAX_ACTIONS : maxActions;
            maxBytes = maxBytes == null ? DEFAULT_MAX_BYTES : maxBytes;
            maxInFlight = maxInFlight == null ? DEFAULT_MAX_IN_FLIGHT : maxInFlight;
        }
    }
}
