package io.sluice.config.sink;

import io.sluice.config.Secret;
import java.util.List;

/**
 * Redis behind Sentinel: the sink asks the sentinels where the master is and follows failovers.
 *
 * @param master   the master's name as the sentinels know it ({@code sentinel monitor <name> ...})
 * @param nodes    sentinel addresses, {@code host:port}
 * @param user     ACL user for the sentinels, when they require one
 * @param password password for the sentinels, when they require one (the data nodes use the sink's own
 *                 {@code user} and {@code password})
 */
public record RedisSentinelConfig(String master, List<String> nodes, String user, Secret password) {
    public RedisSentinelConfig {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }
}
