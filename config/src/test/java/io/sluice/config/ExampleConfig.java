package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/** The example configuration users start from, and edits of it for tests that need one thing changed. */
final class ExampleConfig {

    static final String FILE = "pipelines.yaml";
    /** Not valid as any other value, so wherever it is substituted it makes a problem. */
    static final String PASSWORD = "pg Secret/42!";
    static final Map<String, String> ENV = Map.of("PG_PASSWORD", PASSWORD);

    /** Line numbers matter: tests locate problems by them. */
    static final String YAML = """
            pipelines:
              - name: orders
                source:
                  postgres:
                    host: localhost
                    port: 5432
                    database: shop
                    user: sluice
                    password: ${PG_PASSWORD}        # ${NAME} = environment variable
                    slot: sluice_orders
                    publication: sluice_orders
                    tables: [public.orders, public.customers]
                    snapshot: initial
                sinks:
                  - kafka:
                      bootstrap-servers: localhost:9092
                      topic: "shop.{schema}.{table}"   # {…} = per-event template
                      producer:
                        compression.type: lz4
                offsets:
                  file: ./data/orders.offsets
            """;

    /** The kafka sink of {@link #YAML}, lines 15 to 19. */
    static final String KAFKA_SINK = """
                  - kafka:
                      bootstrap-servers: localhost:9092
                      topic: "shop.{schema}.{table}"   # {…} = per-event template
                      producer:
                        compression.type: lz4
            """;

    /** {@link #YAML} with a redis sink in place of the kafka sink, on the same lines (15 to 19). */
    static final String REDIS_YAML = with(YAML, KAFKA_SINK, """
                  - redis:
                      host: cache.local
                      key: "shop:{table}:{key}"
                      value: json
                      delete-marker-ttl: 1h
            """);

    /** The pipeline of {@link #YAML} as a second list item, renamed and with its own slot and offsets file. */
    static final String SECOND_PIPELINE = YAML.substring(YAML.indexOf("  - name:"))
            .replace("name: orders", "name: customers")
            .replace("slot: sluice_orders", "slot: sluice_customers")
            .replace("orders.offsets", "customers.offsets");

    private ExampleConfig() {
    }

    /** The example with one fragment replaced; fails the test if the fragment is not there exactly once. */
    static String with(String fragment, String replacement) {
        return with(YAML, fragment, replacement);
    }

    static String with(String yaml, String fragment, String replacement) {
        assertThat(yaml.split(java.util.regex.Pattern.quote(fragment), -1)).as("occurrences of %s", fragment)
                .hasSize(2);
        return yaml.replace(fragment, replacement);
    }
}
