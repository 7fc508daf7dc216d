package io.sluice.sink.redis;

import io.sluice.config.Secret;
import io.sluice.config.sink.RedisSentinelConfig;
import io.sluice.config.sink.RedisSinkConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds the Jedis client for where Redis is: a standalone server ({@link RedisClient}), a master found through
 * Sentinel ({@link RedisSentinelClient}, which follows failovers), or a cluster ({@link RedisClusterClient}, which
 * routes each command by its key's slot). All three pool their connections, reconnect on their own and offer
 * pipelines, so the sink works with any of them through {@link UnifiedJedis}.
 */
final class RedisClients {

    private RedisClients() {
    }

    /** Connects nothing yet: a pooled client opens connections on first use. */
    static UnifiedJedis create(String clientName, RedisSinkConfig config) {
        JedisClientConfig clientConfig = clientConfig(clientName, config.database(), config.user(), config.password(),
                config.tls(), (int) config.timeout().toMillis());
        if (config.sentinel() != null) {
            RedisSentinelConfig sentinel = config.sentinel();
            return RedisSentinelClient.builder()
                    .masterName(sentinel.master())
                    .sentinels(addresses(sentinel.nodes()))
                    .sentinelClientConfig(clientConfig(clientName + "-sentinel", 0, sentinel.user(),
                            sentinel.password(), config.tls(), (int) config.timeout().toMillis()))
                    .clientConfig(clientConfig)
                    .build();
        }
        if (config.cluster() != null) {
            return RedisClusterClient.builder()
                    .nodes(addresses(config.cluster().nodes()))
                    .clientConfig(clientConfig)
                    .build();
        }
        return RedisClient.builder()
                .hostAndPort(config.host(), config.port())
                .clientConfig(clientConfig)
                .build();
    }

    private static JedisClientConfig clientConfig(String clientName, int database, String user, Secret password,
            boolean tls, int timeoutMillis) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .clientName(clientName)
                .database(database)
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .user(user)
                .password(password == null ? null : password.reveal());
        if (tls) {
            // FULL checks the certificate chain against the JVM's trust store (javax.net.ssl.trustStore) and, beyond
            // that, the server's host name against the certificate.
            builder.ssl(true).sslOptions(SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL).build());
        }
        return builder.build();
    }

    private static Set<HostAndPort> addresses(List<String> nodes) {
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        for (String node : nodes) {
            addresses.add(HostAndPort.from(node.strip()));
        }
        return addresses;
    }
}
