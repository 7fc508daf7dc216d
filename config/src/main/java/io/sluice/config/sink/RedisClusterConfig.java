package io.sluice.config.sink;

import java.util.List;

/**
 * Redis Cluster: the sink discovers the cluster's nodes and slots from any of these seeds.
 *
 * @param nodes seed node addresses, {@code host:port}
 */
public record RedisClusterConfig(List<String> nodes) {
    public RedisClusterConfig {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }
}
