package io.sluice.config;

/**
 * The admin HTTP endpoint of a Sluice process: health for probes, Prometheus metrics and per-pipeline status.
 *
 * @param address the address to listen on (default {@value #DEFAULT_ADDRESS}, so only the host itself can reach
 *                it; {@code 0.0.0.0} in a container whose probes and scrapers come from outside)
 * @param port    the port to listen on (default {@value #DEFAULT_PORT}; 0 picks a free port, which the log names)
 * @param token   when set, every request but the health probes needs {@code Authorization: Bearer <token>}
 */
public record AdminConfig(String address, Integer port, Secret token) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 7080;
    public static final AdminConfig DEFAULT = new AdminConfig(null, null, null);

    public AdminConfig {
        address = address == null ? DEFAULT_ADDRESS : address;
        port = port == null ? DEFAULT_PORT : port;
    }
}
