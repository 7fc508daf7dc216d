package io.sluice.config.sink;

import io.sluice.config.Secret;
import java.time.Duration;
import java.util.List;

/**
 * Keeps a Redis cache in step with the captured rows: one key per row, written only when the change is not older
 * than what the key holds. Exactly one of {@code host}, {@code sentinel} and {@code cluster} says where Redis is.
 *
 * @param host            a standalone Redis server's host
 * @param port            its port (default 6379)
 * @param sentinel        Redis behind Sentinel, instead of {@code host}
 * @param cluster         Redis Cluster, instead of {@code host}
 * @param database        database index (default 0; Redis Cluster has only 0)
 * @param user            ACL user (default: Redis's {@code default} user)
 * @param password        password of {@code user}, or the {@code requirepass} password, usually {@code ${ENV_VAR}}
 * @param tls             connect with TLS, verifying the server's certificate and host name against the JVM's
 *                        trust store (default false)
 * @param key             key template; {@code {database}}, {@code {schema}}, {@code {table}} and {@code {key}} (the
 *                        row's primary key) are replaced per row (default {@code {table}:{key}})
 * @param value           how a row is stored: {@code hash} or {@code json} (default hash)
 * @param ttl             expiry of each row's key, renewed on every change; none by default
 * @param deleteMarkerTtl how long a deleted row's version is kept, so that a replayed older change cannot bring the
 *                        row back (default 24h)
 * @param timeout         how long to wait to connect and for each reply (default 10s)
 * @param onFailure       what to do with an event Redis rejects for good, e.g. a key holding another type of value
 *                        (default fail)
 * @param tables         the captured tables this sink receives (default all), see {@link SinkConfig#tables()}
 * @param batchSize      most events per write (default {@value SinkConfig#DEFAULT_BATCH_SIZE})
 * @param retry          backoff after transient failures (default: the pipeline's)
 */
public record RedisSinkConfig(
        String host,
        Integer port,
        RedisSentinelConfig sentinel,
        RedisClusterConfig cluster,
        Integer database,
        String user,
        Secret password,
        Boolean tls,
        String key,
        RedisValueMode value,
        Duration ttl,
        Duration deleteMarkerTtl,
        Duration timeout,
        FailurePolicy onFailure,
        List<String> tables,
        Integer batchSize,
        RetryConfig retry) implements SinkConfig {

    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_KEY = "{table}:{key}";
    public static final Duration DEFAULT_DELETE_MARKER_TTL = Duration.ofHours(24);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public RedisSinkConfig {
        port = port == null ? DEFAULT_PORT : port;
        database = database == null ? 0 : database;
        tls = tls == null ? Boolean.FALSE : tls;
        key = key == null ? DEFAULT_KEY : key;
        value = value == null ? RedisValueMode.HASH : value;
        deleteMarkerTtl = deleteMarkerTtl == null ? DEFAULT_DELETE_MARKER_TTL : deleteMarkerTtl;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        onFailure = onFailure == null ? FailurePolicy.FAIL : onFailure;
        tables = tables == null ? List.of() : List.copyOf(tables);
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    /** A standalone server with every other setting at its default. */
    public static RedisSinkConfig standalone(String host, int port) {
        return new RedisSinkConfig(host, port, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    @Override
    public String kind() {
        return "redis";
    }

    /** Where Redis is, for messages: {@code host:port/db}, the sentinel master, or the cluster seeds. */
    public String address() {
        if (sentinel != null) {
            return "sentinel master " + sentinel.master() + " via " + String.join(",", sentinel.nodes())
                    + "/" + database;
        }
        if (cluster != null) {
            return "cluster " + String.join(",", cluster.nodes());
        }
        return host + ":" + port + "/" + database;
    }
}
