package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigModel.EnumDef;
import io.sluice.config.ConfigModel.ListOf;
import io.sluice.config.ConfigModel.Property;
import io.sluice.config.ConfigModel.RecordDef;
import io.sluice.config.ConfigModel.Ref;
import io.sluice.config.ConfigModel.Scalar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema and the loader agree on what the schema is meant to judge. Starting from valid files that together use
 * every mapping and nearly every key, each mutation (leaving a key out, a whole number at and just past its bounds,
 * an enum value that does not exist, an unknown key, an empty required list, a duration in a wrong form) is given to
 * both, and both must accept it or both reject it. This is what keeps {@code required}, {@code requires},
 * {@code exactly-one-of}, {@code minimum} and {@code maximum} in descriptions.yaml true to {@code ConfigValidator}.
 * With a {@code defaults:} block the schema is looser by design, so there it must only never reject what the loader
 * accepts.
 */
class SchemaAgreesWithLoaderTest {

    private static final ConfigModel MODEL = ConfigModel.load();
    private static final Map<String, String> ENV = Map.of("PG_PASSWORD", "pg-secret", "ES_PASSWORD", "es-secret",
            "ES_API_KEY", "a2V5", "REDIS_PASSWORD", "redis-secret", "HASH_KEY", "hash-secret", "OFFSETS_PASSWORD",
            "offsets-secret");
    private static final ConfigLoader LOADER = new ConfigLoader(ENV::get);

    @TempDir
    static Path dir;
    private static Path caFile;
    private static Path indexFile;

    @BeforeAll
    static void files() throws IOException {
        caFile = Files.writeString(dir.resolve("ca.pem"), "not read at load time");
        indexFile = Files.writeString(dir.resolve("index.json"), "{\"settings\": {\"number_of_shards\": 1}}");
    }

    private static String pipeline(String sinks, String offsets, String transforms) {
        return """
                pipelines:
                  - name: orders
                    source:
                      postgres:
                        host: db.internal
                        port: 5432
                        database: shop
                        user: sluice
                        password: ${PG_PASSWORD}
                        slot: sluice_orders
                        publication: sluice_orders
                        tables: [public.orders, public.customers]
                        snapshot: initial
                        decimals: number
                        connect-timeout: 10s
                        max-transaction-changes: 100000
                        heartbeat: {interval: 30s, query: "UPDATE public.heartbeat SET at = now()"}
                        wal-lag-warning: 2GB
                        signal-table: public.sluice_signal
                    sinks:
                """ + sinks + "    offsets:\n" + offsets + transforms;
    }

    private static List<String> fixtures() {
        return List.of(
                pipeline("""
                              - kafka:
                                  bootstrap-servers: kafka-1:9092,kafka-2:9092
                                  topic: "shop.{table}"
                                  tombstones: false
                                  producer: {compression.type: lz4, linger.ms: 5}
                                  on-failure: skip
                        """, "      file: ./data/orders.offsets\n", """
                            dead-letter:
                              file: {path: "./data/{pipeline}.dead-letters.jsonl"}
                            transforms:
                              - tables: [public.customers]
                                drop: [note]
                                rename: {cust_id: customer_id}
                                mask: [phone]
                                hash: [email]
                                hash-key: ${HASH_KEY}
                                filter: "status = 'paid'"
                              - tables: ["public.*"]
                                keep: [id, status]
                        """),
                pipeline("""
                              - elasticsearch:
                                  urls: [https://es-1:9200]
                                  index: "shop_{table}"
                                  alias: "shop_{table}_current"
                                  settings: {index: {number_of_shards: 1}}
                                  mappings: {properties: {body: {type: text}}}
                                  gc-deletes: 2h
                                  truncate: ignore
                                  auth: {username: sluice, password: "${ES_PASSWORD}"}
                                  tls: {ca-file: CA_FILE}
                                  bulk: {max-actions: 500, max-bytes: 1048576, max-in-flight: 4}
                                  request-timeout: 20s
                                  connect-timeout: 3s
                                  on-failure: skip
                        """, """
                              jdbc:
                                url: jdbc:postgresql://offsets-db:5432/sluice
                                user: offsets
                                password: ${OFFSETS_PASSWORD}
                                schema: sluice
                                table: offsets
                        """, ""),
                pipeline("""
                              - elasticsearch:
                                  urls: [http://es:9200]
                                  index-file: INDEX_FILE
                                  auth: {api-key: "${ES_API_KEY}"}
                        """, """
                              kafka: {bootstrap-servers: "kafka:9092", topic: sluice-offsets, replication-factor: 3, client: {security.protocol: PLAINTEXT}}
                        """, """
                            dead-letter:
                              kafka: {bootstrap-servers: "kafka:9092", topic: "shop.{pipeline}.dlq", producer: {acks: all}}
                        """),
                pipeline("""
                              - redis:
                                  host: cache.internal
                                  port: 6380
                                  database: 2
                                  user: sluice
                                  password: ${REDIS_PASSWORD}
                                  tls: true
                                  key: "shop:{table}:{key}"
                                  value: json
                                  ttl: 1h
                                  delete-marker-ttl: 12h
                                  timeout: 5s
                                  on-failure: skip
                        """, "      file: ./data/orders.offsets\n", ""),
                pipeline("""
                              - redis:
                                  sentinel: {master: mymaster, nodes: ["s-1:26379", "s-2:26379"], user: watcher, password: x}
                        """, "      file: ./data/orders.offsets\n", ""),
                pipeline("""
                              - redis:
                                  cluster: {nodes: ["r-1:6379", "r-2:6379"]}
                        """, "      file: ./data/orders.offsets\n", ""))
                .stream().map(yaml -> yaml.replace("CA_FILE", caFile.toString())
                        .replace("INDEX_FILE", indexFile.toString())).toList();
    }

    @Test
    void theSchemaAndTheLoaderJudgeEveryMutationAlike() {
        List<String> disagreements = new ArrayList<>();
        Set<String> requiredKeysTried = new HashSet<>();
        int mutations = 0;
        for (String fixture : fixtures()) {
            JsonNode original = SchemaCheck.tree(fixture);
            assertThat(verdict(original)).as("the fixture itself\n%s", fixture).isEqualTo(new Verdict(null, List.of()));
            for (Mutation mutation : mutations(original)) {
                mutations++;
                if (mutation.site().property() != null && mutation.site().property().required()) {
                    requiredKeysTried.add(mutation.site().owner().name() + "." + mutation.site().property().key());
                }
                JsonNode changed = original.deepCopy();
                mutation.change().accept(changed);
                Verdict verdict = verdict(changed);
                if (verdict.loaderAccepts() != verdict.schemaAccepts()) {
                    disagreements.add(mutation.name() + ": the loader " + (verdict.loaderAccepts() ? "accepts"
                            : "rejects (" + verdict.loader() + ")") + ", the schema " + (verdict.schemaAccepts()
                            ? "accepts" : "rejects " + verdict.schema()));
                }
            }
        }

        assertThat(disagreements).as("of %d mutations", mutations).isEmpty();
        assertThat(mutations).isGreaterThan(300);
        assertThat(requiredKeysTried).as("required keys left out at least once").containsAll(requiredKeys());
    }

    @Test
    void withADefaultsBlockTheSchemaNeverRejectsWhatTheLoaderAccepts() {
        String yaml = """
                defaults:
                  source:
                    postgres: {host: db.internal, database: shop, user: sluice, password: "${PG_PASSWORD}"}
                  sinks:
                    kafka: {bootstrap-servers: "kafka:9092", producer: {compression.type: lz4}}
                    redis: {host: cache.internal}
                  offsets:
                    jdbc: {}
                pipelines:
                  - name: orders
                    source:
                      postgres: {slot: orders, publication: orders, tables: [public.orders]}
                    sinks:
                      - kafka: {topic: "orders.{table}"}
                      - redis:
                      - elasticsearch: {urls: ["http://es:9200"]}
                """;
        JsonNode original = SchemaCheck.tree(yaml);
        assertThat(verdict(original)).isEqualTo(new Verdict(null, List.of()));
        List<String> unsound = new ArrayList<>();
        for (Mutation mutation : mutations(original)) {
            JsonNode changed = original.deepCopy();
            mutation.change().accept(changed);
            Verdict verdict = verdict(changed);
            if (verdict.loaderAccepts() && !verdict.schemaAccepts()) {
                unsound.add(mutation.name() + ": " + verdict.schema());
            }
        }
        assertThat(unsound).isEmpty();
    }

    private static Set<String> requiredKeys() {
        Set<String> keys = new HashSet<>();
        for (ConfigModel.Definition definition : MODEL.definitions()) {
            if (definition instanceof RecordDef record) {
                record.properties().stream().filter(Property::required)
                        .forEach(p -> keys.add(record.name() + "." + p.key()));
            }
        }
        return keys;
    }

    record Mutation(String name, DocumentWalk.Site site, Consumer<JsonNode> change) {
    }

    /** @param loader the loader's first problem, null when it accepts */
    record Verdict(String loader, List<String> schema) {
        boolean loaderAccepts() {
            return loader == null;
        }

        boolean schemaAccepts() {
            return schema.isEmpty();
        }
    }

    private static Verdict verdict(JsonNode document) {
        String loader = null;
        try {
            LOADER.load(SchemaCheck.yaml(document), "mutated.yaml");
        } catch (ConfigException e) {
            loader = e.problems().get(0).toString();
        }
        return new Verdict(loader, SchemaCheck.problems(document));
    }

    private static List<Mutation> mutations(JsonNode document) {
        List<Mutation> mutations = new ArrayList<>();
        new DocumentWalk(MODEL).walk(document, site -> {
            if (site.shape() instanceof Ref ref && MODEL.definition(ref.name()) instanceof RecordDef
                    && site.value().isObject()) {
                mutations.add(new Mutation(site.dotted() + " with an unknown key", site,
                        doc -> ((ObjectNode) DocumentWalk.at(doc, site.path())).put("no-such-key", 1)));
            }
            Property property = site.property();
            if (property == null || site.path().get(site.path().size() - 1) instanceof Integer) {
                return; // list items are judged through their list
            }
            String key = property.key();
            mutations.add(new Mutation(site.dotted() + " left out", site,
                    doc -> ((ObjectNode) DocumentWalk.parent(doc, site.path())).remove(key)));
            if (site.shape() instanceof ListOf && site.value().isArray()) {
                mutations.add(new Mutation(site.dotted() + " empty", site, doc -> set(doc, site, null)));
            }
            if (site.shape() instanceof Ref ref && MODEL.definition(ref.name()) instanceof EnumDef) {
                mutations.add(new Mutation(site.dotted() + " = bogus", site,
                        doc -> set(doc, site, SchemaCheck.tree("bogus"))));
            }
            if (site.shape() instanceof Scalar scalar && scalar.kind() == ConfigModel.Kind.DURATION) {
                mutations.add(new Mutation(site.dotted() + " = \"10 s\"", site,
                        doc -> set(doc, site, SchemaCheck.tree("\"10 s\""))));
            }
            for (Long bound : new Long[] {property.minimum(), property.maximum()}) {
                if (bound != null) {
                    long outside = bound.equals(property.minimum()) ? bound - 1 : bound + 1;
                    mutations.add(new Mutation(site.dotted() + " = " + bound, site,
                            doc -> set(doc, site, SchemaCheck.tree(String.valueOf(bound)))));
                    mutations.add(new Mutation(site.dotted() + " = " + outside, site,
                            doc -> set(doc, site, SchemaCheck.tree(String.valueOf(outside)))));
                }
            }
        });
        return mutations;
    }

    /** Replaces the value at the site; null means an empty list. */
    private static void set(JsonNode doc, DocumentWalk.Site site, JsonNode value) {
        ObjectNode parent = (ObjectNode) DocumentWalk.parent(doc, site.path());
        String key = (String) site.path().get(site.path().size() - 1);
        if (value == null) {
            parent.set(key, (ArrayNode) parent.arrayNode());
        } else {
            parent.set(key, value);
        }
    }
}
