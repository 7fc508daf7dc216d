package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.ElasticsearchHttp;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * {@code sluice check} through the packaged command line against real servers: a ready setup gives only ok lines and
 * exit 0; a broken one names each problem with its fix and exits 1; and neither run creates anything.
 */
class CheckCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEAK_PASSWORD = "weak-Secret-9";
    private static final String CACHE_PASSWORD = "cache-Secret-7";

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalElasticsearch elasticsearch;
    private static LocalRedis redis;
    private static ElasticsearchHttp http;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        elasticsearch = LocalElasticsearch.start();
        // The broken setup's cache user may dry-run commands but reaches no key of the sink.
        redis = LocalRedis.start(LocalRedis.Options.DEFAULT.withPersistence(LocalRedis.Persistence.APPEND_ONLY)
                .withUser(new LocalRedis.AclUser("cache", CACHE_PASSWORD, "~other:* +@all")));
        http = new ElasticsearchHttp(elasticsearch.url());
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable server : new AutoCloseable[] {redis, elasticsearch, kafka, postgres}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    // Closing the others matters more than this one's failure.
                }
            }
        }
    }

    @Test
    void aReadySetupGivesOnlyOkLinesAndExitsZeroWithoutCreatingAnything() throws Exception {
        postgres.createDatabase("ready");
        postgres.execute("ready",
                "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2),"
                        + " created timestamptz, tags text[], doc jsonb)",
                "CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(40))");
        kafka.createTopic("ready.public.orders", 1);
        http.put("/ready_orders", """
                {"mappings": {"properties": {"id": {"type": "integer"}, "status": {"type": "keyword"},
                  "amount": {"type": "double"}, "created": {"type": "date"}, "tags": {"type": "keyword"},
                  "doc": {"type": "object"}}}}
                """);
        Path config = Files.writeString(dir.resolve("ready.yaml"), """
                pipelines:
                  - name: ready
                    source:
                      postgres: {host: 127.0.0.1, port: %1$d, database: ready, user: postgres, password: unused,
                                 slot: ready_slot, publication: ready_pub, tables: ["public.*"]}
                    sinks:
                      - kafka: {bootstrap-servers: "%2$s", topic: "ready.{schema}.{table}"}
                      - elasticsearch: {urls: ["%3$s"], index: "ready_{table}"}
                      - redis: {host: 127.0.0.1, port: %4$d, key: "ready:{table}:{key}"}
                    offsets:
                      file: %5$s
                  - name: ready_jdbc
                    source:
                      postgres: {host: 127.0.0.1, port: %1$d, database: ready, user: postgres, password: unused,
                                 slot: ready_jdbc_slot, publication: ready_jdbc_pub, tables: [public.customers],
                                 publication-create: all-tables}
                    sinks:
                      - kafka: {bootstrap-servers: "%2$s", topic: "ready_jdbc.{table}"}
                    offsets:
                      jdbc: {table: ready_offsets}
                  - name: ready_kafka
                    source:
                      postgres: {host: 127.0.0.1, port: %1$d, database: ready, user: postgres, password: unused,
                                 slot: ready_kafka_slot, publication: ready_kafka_pub, tables: [public.customers]}
                    sinks:
                      - kafka: {bootstrap-servers: "%2$s", topic: "ready_kafka.{table}"}
                    offsets:
                      kafka: {bootstrap-servers: "%2$s", topic: ready-offsets}
                """.formatted(postgres.port(), kafka.bootstrapServers(), elasticsearch.url(), redis.port(),
                dir.resolve("state").resolve("ready.offsets")));
        Servers before = servers("ready");

        Outcome text = SluiceProcess.run(Map.of(), 120, "check", "--config", config.toString());

        assertThat(text.exitCode()).as(text.output()).isZero();
        List<String> findings = findingLines(text.output());
        assertThat(findings).as(text.output()).isNotEmpty().allMatch(line -> line.startsWith("ok "));
        assertThat(text.output())
                .containsPattern("ok +ready +postgres postgres@127\\.0\\.0\\.1:\\d+/ready +wal_level is logical")
                .contains("every captured table (2) has a primary key and is readable: public.customers,"
                        + " public.orders")
                .contains("publication 'ready_pub' does not exist yet; Sluice creates it for the 2 captured table(s)")
                .contains("replication slot 'ready_slot' does not exist yet; Sluice creates it on first start")
                .contains("topic ready.public.orders exists")
                .contains("topic ready.public.customers does not exist yet; the broker creates it on the first write")
                .contains("security is disabled on the cluster")
                .contains("index 'ready_orders' exists and its mapping takes every column of public.orders")
                .contains("index 'ready_customers' does not exist yet; Sluice creates it")
                .contains("user 'default' may run every command the sink sends")
                .contains("table public.ready_offsets does not exist yet; Sluice creates it")
                .contains("the topic does not exist yet; Sluice creates it (compacted, one partition)")
                .containsPattern("0 errors, 0 warnings \\(\\d+ ok\\)");
        assertThat(servers("ready")).isEqualTo(before);

        Outcome json = SluiceProcess.run(Map.of(), 120, "check", "--config", config.toString(), "--pipeline",
                "ready_jdbc", "--json");
        assertThat(json.exitCode()).as(json.output()).isZero();
        JsonNode report = JSON.readTree(json.output().substring(json.output().indexOf('{')));
        assertThat(report.path("pipelines")).hasSize(1);
        assertThat(report.path("pipelines").path(0).path("pipeline").asText()).isEqualTo("ready_jdbc");
        assertThat(report.path("summary").path("errors").asInt()).isZero();
        assertThat(report.path("pipelines").path(0).path("findings").findValuesAsText("message"))
                .contains("publication 'ready_jdbc_pub' does not exist yet; Sluice creates it for all tables"
                        + " (publication-create: all-tables)");
        assertThat(servers("ready")).isEqualTo(before);
    }

    @Test
    void aBrokenSetupNamesEachProblemWithItsFixAndExitsOneWithoutCreatingAnything() throws Exception {
        postgres.createDatabase("broken");
        postgres.createRole("weak", WEAK_PASSWORD, false);
        postgres.execute("broken",
                "CREATE TABLE orders (id int PRIMARY KEY, status text, created timestamptz)",
                "CREATE TABLE secret (id int PRIMARY KEY, pin text)",
                "CREATE TABLE nopk (id int, note text)",
                "GRANT SELECT ON orders, nopk TO weak");
        http.put("/broken_orders", """
                {"mappings": {"dynamic": "strict", "properties": {"id": {"type": "integer"},
                  "status": {"type": "long"}, "created": {"type": "integer"}}}}
                """);
        int closedPort = FreePorts.pick();
        Path config = Files.writeString(dir.resolve("broken.yaml"), """
                pipelines:
                  - name: broken
                    source:
                      postgres: {host: 127.0.0.1, port: %d, database: broken, user: weak, password: "%s",
                                 slot: broken_slot, publication: broken_pub, publication-create: never,
                                 tables: [public.orders, public.secret, public.nopk]}
                    transforms:
                      - {tables: [public.secret], index: "broken_secret_{table}"}
                    sinks:
                      - kafka: {bootstrap-servers: "127.0.0.1:%d", topic: "broken.{table}"}
                      - elasticsearch: {urls: ["%s"], index: "broken_{table}", tables: [public.orders]}
                      - redis: {host: 127.0.0.1, port: %d, user: cache, password: "%s", key: "broken:{table}:{key}"}
                    offsets:
                      file: %s
                """.formatted(postgres.port(), WEAK_PASSWORD, closedPort, elasticsearch.url(), redis.port(),
                CACHE_PASSWORD, dir.resolve("broken.offsets")));
        Servers before = servers("broken");

        Outcome outcome = SluiceProcess.run(Map.of(), 120, "check", "--config", config.toString());

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        String pg = "error +broken +postgres weak@127\\.0\\.0\\.1:\\d+/broken +";
        assertThat(outcome.output())
                .containsPattern(pg + "role 'weak' may not replicate.* -- fix: ALTER ROLE weak REPLICATION")
                .containsPattern(pg + "role 'weak' may not SELECT from table public\\.secret.*"
                        + " -- fix: GRANT SELECT ON public\\.secret TO weak")
                .containsPattern(pg + "table public\\.nopk has no primary key.*"
                        + " -- fix: ALTER TABLE public\\.nopk ADD PRIMARY KEY \\(\\.\\.\\.\\)")
                .containsPattern(pg + "publication 'broken_pub' does not exist, and publication-create: never.*"
                        + " -- fix: CREATE PUBLICATION broken_pub FOR TABLE public\\.orders, public\\.secret,"
                        + " public\\.nopk")
                .containsPattern("skip +broken +postgres .*replication slot 'broken_slot' does not exist yet; it"
                        + " cannot be created until the role may replicate")
                .containsPattern("error +broken +kafka 127\\.0\\.0\\.1:" + closedPort + " +cannot reach the Kafka"
                        + " cluster: no broker answered within \\d+ ms -- fix: check bootstrap-servers")
                .containsPattern("skip +broken +kafka .* topics not checked: no connection to the cluster")
                .containsPattern("error +broken +elasticsearch \\S+ +index 'broken_orders': field 'status' is mapped"
                        + " as long, but column status \\(text\\) of public\\.orders is written as strings: a long"
                        + " field refuses them -- fix: map 'status' as keyword in a new index and reindex")
                .containsPattern("error +broken +elasticsearch .*field 'created' is mapped as integer, but column"
                        + " created \\(timestamp with time zone\\) of public\\.orders is written as UTC timestamps")
                .containsPattern("error +broken +redis .*user 'cache' is refused EVALSHA, EVAL, HMGET, HSET,"
                        + " HINCRBY: .*'sluice:broken:epoch' key -- fix: ACL SETUSER cache ~broken:orders:\\* ")
                .containsPattern("error +broken +redis .*user 'cache' is refused EVALSHA, EVAL, TYPE, .*"
                        + "'broken:orders:check' key")
                .contains("0 warnings")
                .doesNotContain("WARN ")
                .doesNotContain(WEAK_PASSWORD)
                .doesNotContain(CACHE_PASSWORD)
                .doesNotContain("Exception");
        // Only the tables the Elasticsearch sink receives are checked there.
        assertThat(outcome.output()).doesNotContain("broken_secret_secret").doesNotContain("index 'broken_nopk'");
        assertThat(servers("broken")).isEqualTo(before);
    }

    @Test
    void existingSlotsAndPublicationsAreJudgedAsTheSourceWouldUseThem() throws Exception {
        postgres.createDatabase("existing");
        postgres.execute("existing",
                "CREATE TABLE orders (id int PRIMARY KEY)",
                "CREATE TABLE customers (id int PRIMARY KEY)",
                "CREATE TABLE signals (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data text)",
                "CREATE PUBLICATION reuse_pub FOR TABLE orders",
                "CREATE PUBLICATION narrow_pub FOR TABLE orders",
                "CREATE PUBLICATION everything_pub FOR ALL TABLES",
                "SELECT pg_create_logical_replication_slot('reuse_slot', 'pgoutput')",
                "SELECT pg_create_physical_replication_slot('physical_slot')");
        String pipeline = """
                  - name: %s
                    source:
                      postgres: {host: 127.0.0.1, port: %d, database: existing, user: postgres, password: unused,
                                 slot: %s, publication: %s, publication-create: %s,
                                 tables: [public.orders, public.customers]%s}
                    sinks:
                      - kafka: {bootstrap-servers: "%s", topic: "existing.{table}"}
                    offsets:
                      file: %s
                """;
        Path config = Files.writeString(dir.resolve("existing.yaml"), "pipelines:\n"
                + pipeline.formatted("reuse", postgres.port(), "reuse_slot", "reuse_pub", "filtered",
                        ", signal-table: public.signals", kafka.bootstrapServers(), dir.resolve("reuse.offsets"))
                + pipeline.formatted("narrow", postgres.port(), "physical_slot", "narrow_pub", "never",
                        ", signal-table: public.nosignals", kafka.bootstrapServers(), dir.resolve("narrow.offsets"))
                + pipeline.formatted("everything", postgres.port(), "everything_slot", "everything_pub",
                        "filtered", "", kafka.bootstrapServers(), dir.resolve("everything.offsets")));
        Servers before = servers("existing");

        Outcome outcome = SluiceProcess.run(Map.of(), 120, "check", "--config", config.toString());

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.output())
                .containsPattern("ok +reuse +postgres .*replication slot 'reuse_slot' exists \\(pgoutput, confirmed up"
                        + " to [0-9A-F]+/[0-9A-F]+\\)")
                .containsPattern("ok +reuse +postgres .*publication 'reuse_pub' exists; Sluice sets its tables to the"
                        + " captured ones at start \\(it lacks public\\.customers, public\\.signals\\)")
                .containsPattern("ok +reuse +postgres .*signal table public\\.signals exists")
                .containsPattern("error +narrow +postgres .*replication slot 'physical_slot' is a physical slot")
                .containsPattern("error +narrow +postgres .*publication 'narrow_pub' does not publish"
                        + " public\\.customers, .* -- fix: ALTER PUBLICATION narrow_pub ADD TABLE public\\.customers")
                .containsPattern("error +narrow +postgres .*signal table public\\.nosignals does not exist -- fix:"
                        + " CREATE TABLE public\\.nosignals \\(id varchar\\(64\\) PRIMARY KEY")
                .containsPattern("error +everything +postgres .*publication 'everything_pub' publishes all tables,"
                        + " which publication-create: filtered refuses .* -- fix: set"
                        + " source\\.postgres\\.publication-create: all-tables")
                .doesNotContainPattern("(?m)^error +reuse ");
        assertThat(servers("existing")).isEqualTo(before);
    }

    /** The lines of findings: everything before the blank line ahead of the summary, without group separators. */
    private static List<String> findingLines(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.matches("^(ok|skip|warn|error) .*")) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** What exists on every server, to prove that a check created nothing. */
    private record Servers(Set<String> slots, Set<String> publications, Set<String> tables, Set<String> topics,
            Set<String> indices, Set<String> redisKeys, Set<String> files) {
    }

    private Servers servers(String database) throws Exception {
        Set<String> files = new TreeSet<>();
        try (var walk = Files.walk(dir)) {
            walk.forEach(path -> files.add(dir.relativize(path).toString()));
        }
        return new Servers(
                query(database, "SELECT slot_name FROM pg_replication_slots"),
                query(database, "SELECT pubname FROM pg_publication"),
                query(database, "SELECT schemaname || '.' || tablename FROM pg_tables"
                        + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"),
                topics(), indices(), redisKeys(), files);
    }

    private static Set<String> query(String database, String sql) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            return new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        }
    }

    private static Set<String> indices() {
        Set<String> names = new TreeSet<>();
        http.get("/_cat/indices?format=json").forEach(index ->
                names.add(index.path("index").asText()));
        return names;
    }

    private static Set<String> redisKeys() {
        try (RedisClient client = RedisClient.builder().hostAndPort(redis.host(), redis.port())
                .clientConfig(DefaultJedisClientConfig.builder().build()).build()) {
            return new TreeSet<>(client.keys("*"));
        }
    }
}
