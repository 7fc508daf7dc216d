package io.sluice.config;

import static io.sluice.config.ExampleConfig.ENV;
import static io.sluice.config.ExampleConfig.FILE;
import static io.sluice.config.ExampleConfig.REDIS_YAML;
import static io.sluice.config.ExampleConfig.SECOND_PIPELINE;
import static io.sluice.config.ExampleConfig.YAML;
import static io.sluice.config.ExampleConfig.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One mistake per file, each reported as exactly one problem at the expected line and key path. Line numbers
 * refer to {@link ExampleConfig#YAML}: port is on line 6, tables on 12, the kafka sink on 15, offsets on 20; in
 * {@link ExampleConfig#REDIS_YAML} the redis sink is on line 15, its host on 16, key on 17, value on 18.
 */
class InvalidConfigTest {

    /**
     * @param fragment expected in the rendered problem, hint included
     */
    record Case(String description, String yaml, Map<String, String> env, int line, String path, String fragment) {
        Case(String description, String yaml, int line, String path, String fragment) {
            this(description, yaml, ENV, line, path, fragment);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> invalidConfigurations() {
        return Stream.of(
                new Case("misspelt key", with("host: localhost", "hots: localhost"),
                        5, "pipelines[0].source.postgres.hots", "unknown key \"hots\" (did you mean \"host\"?)"),
                new Case("unknown key far from any known one",
                        with("topic:", "colour: red\n          topic:"), 17, "pipelines[0].sinks[0].kafka.colour",
                        "(supported keys: bootstrap-servers, topic, tombstones, producer, on-failure, tables, batch-size, retry)"),
                new Case("camelCase key", with("bootstrap-servers:", "bootstrapServers:"),
                        16, "pipelines[0].sinks[0].kafka.bootstrapServers", "did you mean \"bootstrap-servers\"?"),
                new Case("a record's getter, which is no key", ExampleConfig.with(YAML, ExampleConfig.KAFKA_SINK, """
                              - elasticsearch:
                                  urls: [http://es:9200]
                                  auth: {basic: true}
                        """), 17, "pipelines[0].sinks[0].elasticsearch.auth.basic",
                        "unknown key \"basic\" (supported keys: username, password, api-key)"),
                new Case("unknown sink type", with("- kafka:", "- kafak:"),
                        15, "pipelines[0].sinks[0].kafak", "unknown type \"kafak\" (did you mean \"kafka\"?)"),
                new Case("missing required key", with("        database: shop\n", ""),
                        4, "pipelines[0].source.postgres.database", "missing required key"),
                new Case("list expected", with("[public.orders, public.customers]", "public.orders"),
                        12, "pipelines[0].source.postgres.tables", "expected a list, got \"public.orders\""),
                new Case("number expected", with("port: 5432", "port: abc"),
                        6, "pipelines[0].source.postgres.port", "expected a whole number, got \"abc\""),
                new Case("port out of range", with("port: 5432", "port: 70000"),
                        6, "pipelines[0].source.postgres.port", "expected a port number between 1 and 65535"),
                new Case("bad enum value", with("snapshot: initial", "snapshot: always"),
                        13, "pipelines[0].source.postgres.snapshot",
                        "expected one of initial, never, initial-only, when-needed, got \"always\""),
                new Case("enum value in the wrong case", with("snapshot: initial", "snapshot: Initial"),
                        13, "pipelines[0].source.postgres.snapshot", "(did you mean \"initial\"?)"),
                new Case("boolean from a YAML 1.1 word", with("topic:", "tombstones: yes\n          topic:"),
                        17, "pipelines[0].sinks[0].kafka.tombstones", "expected true or false, got \"yes\""),
                new Case("duration without unit", with("snapshot: initial", "connect-timeout: 10"),
                        13, "pipelines[0].source.postgres.connect-timeout",
                        "expected a duration such as 500ms, 10s, 2m, 1h or PT10S, got 10"),
                new Case("zero duration", with("snapshot: initial", "connect-timeout: 0s"),
                        13, "pipelines[0].source.postgres.connect-timeout", "must be longer than zero"),
                new Case("no room for a transaction", with("snapshot: initial", "max-transaction-changes: 0"),
                        13, "pipelines[0].source.postgres.max-transaction-changes", "must be at least 1"),
                new Case("duplicate pipeline name", YAML + SECOND_PIPELINE.replace("name: customers", "name: orders"),
                        22, "pipelines[1].name", "pipeline name \"orders\" is already used at line 2"),
                new Case("invalid pipeline name", with("name: orders", "name: Orders"),
                        2, "pipelines[0].name", "\"Orders\" is not a valid pipeline name"),
                new Case("duplicate slot",
                        YAML + SECOND_PIPELINE.replace("slot: sluice_customers", "slot: sluice_orders"),
                        30, "pipelines[1].source.postgres.slot",
                        "replication slot \"sluice_orders\" is already used at line 10"),
                new Case("duplicate offsets file, spelt differently",
                        YAML + SECOND_PIPELINE.replace("./data/customers.offsets", "data/orders.offsets"),
                        41, "pipelines[1].offsets.file",
                        "offsets file \"data/orders.offsets\" is already used at line 21"),
                new Case("slot name with uppercase and dash", with("slot: sluice_orders", "slot: Sluice-Orders"),
                        10, "pipelines[0].source.postgres.slot",
                        "\"Sluice-Orders\" is not a valid replication slot name"),
                new Case("slot name too long", with("slot: sluice_orders", "slot: " + "s".repeat(64)),
                        10, "pipelines[0].source.postgres.slot", "is longer than 63 characters"),
                new Case("table without schema", with("public.customers", "customers"),
                        12, "pipelines[0].source.postgres.tables[1]",
                        "\"customers\" is not a table name of the form schema.table"),
                new Case("unknown topic placeholder", with("{table}\"", "{tabel}\""),
                        17, "pipelines[0].sinks[0].kafka.topic",
                        "unknown placeholder {tabel} (did you mean {table}?)"),
                new Case("bootstrap server without port", with("localhost:9092", "localhost"),
                        16, "pipelines[0].sinks[0].kafka.bootstrap-servers",
                        "\"localhost\" is not a list of host:port"),
                new Case("elasticsearch without urls", withElasticsearch("urls: [http://localhost:9200]", "alias: x"),
                        20, "pipelines[0].sinks[1].elasticsearch.urls", "missing required key"),
                new Case("elasticsearch url without scheme", withElasticsearch("http://localhost:9200", "localhost:9200"),
                        21, "pipelines[0].sinks[1].elasticsearch.urls[0]",
                        "is not an http:// or https:// URL with a host"),
                new Case("elasticsearch url with credentials",
                        withElasticsearch("http://localhost:9200", "http://elastic:pw@localhost:9200"),
                        21, "pipelines[0].sinks[1].elasticsearch.urls[0]", "credentials go under auth"),
                new Case("index name with a forbidden character", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}*\""), 22, "pipelines[0].sinks[1].elasticsearch.index",
                        "'*' in \"{table}*\" is not allowed in an Elasticsearch index name"),
                new Case("unknown index placeholder", withElasticsearch("index: \"{table}\"", "index: \"{tabel}\""),
                        22, "pipelines[0].sinks[1].elasticsearch.index", "(did you mean {table}?)"),
                new Case("gc_deletes in index settings", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          settings:\n            index.gc_deletes: 5m"),
                        23, "pipelines[0].sinks[1].elasticsearch.settings", "use the gc-deletes key"),
                new Case("index file and inline mappings", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          index-file: /nonexistent/index.json\n"
                                + "          mappings: {dynamic: strict}"),
                        23, "pipelines[0].sinks[1].elasticsearch.index-file", "cannot be used together"),
                new Case("unreadable index file", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          index-file: /nonexistent/index.json"),
                        23, "pipelines[0].sinks[1].elasticsearch.index-file", "cannot be read as JSON"),
                new Case("basic auth without password", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          auth:\n            username: sluice"),
                        23, "pipelines[0].sinks[1].elasticsearch.auth.password", "missing required key"),
                new Case("basic auth and api key", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          auth:\n            username: sluice\n"
                                + "            password: pw\n            api-key: key"),
                        26, "pipelines[0].sinks[1].elasticsearch.auth.api-key", "not both"),
                new Case("missing CA file", withElasticsearch("http://localhost:9200", "https://localhost:9200")
                        .replace("index: \"{table}\"", "index: \"{table}\"\n          tls: {ca-file: /nonexistent/ca.pem}"),
                        23, "pipelines[0].sinks[1].elasticsearch.tls.ca-file", "is not a readable file"),
                new Case("no bulk request in flight", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          bulk: {max-in-flight: 0}"),
                        23, "pipelines[0].sinks[1].elasticsearch.bulk.max-in-flight", "must be between 1 and 16"),
                new Case("zero gc-deletes", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          gc-deletes: 0s"),
                        23, "pipelines[0].sinks[1].elasticsearch.gc-deletes", "must be longer than zero"),
                new Case("unknown truncate action", withElasticsearch("index: \"{table}\"",
                        "index: \"{table}\"\n          truncate: delete-by-query"),
                        23, "pipelines[0].sinks[1].elasticsearch.truncate", "expected one of delete, ignore"),
                new Case("no sinks", with(YAML.substring(YAML.indexOf("    sinks:"), YAML.indexOf("    offsets:")),
                        "    sinks: []\n"), 14, "pipelines[0].sinks", "must list at least one sink"),
                new Case("negative heartbeat interval", with("snapshot: initial", "heartbeat: {interval: PT-1S}"),
                        13, "pipelines[0].source.postgres.heartbeat.interval", "0 turns heartbeats off"),
                new Case("wal lag warning in unknown unit", with("snapshot: initial", "wal-lag-warning: 1PB"),
                        13, "pipelines[0].source.postgres.wal-lag-warning",
                        "expected a size such as 512MB, 1GB or 1048576 (bytes), got \"1PB\""),
                new Case("signal table without schema", with("snapshot: initial", "signal-table: sluice_signal"),
                        13, "pipelines[0].source.postgres.signal-table", "e.g. public.sluice_signal"),
                new Case("jdbc offsets with a non-PostgreSQL url",
                        with("file: ./data/orders.offsets", "jdbc: {url: \"jdbc:mysql://db/x\"}"),
                        21, "pipelines[0].offsets.jdbc.url", "is not a PostgreSQL JDBC URL"),
                new Case("jdbc offsets user without url", with("file: ./data/orders.offsets", "jdbc: {user: x}"),
                        21, "pipelines[0].offsets.jdbc.user", "is only used with url"),
                new Case("jdbc offsets table with a dash", with("file: ./data/orders.offsets",
                        "jdbc: {table: sluice-offsets}"), 21, "pipelines[0].offsets.jdbc.table",
                        "\"sluice-offsets\" is not a valid table name"),
                new Case("kafka offsets without servers", with("file: ./data/orders.offsets", "kafka: {topic: t}"),
                        21, "pipelines[0].offsets.kafka.bootstrap-servers", "missing required key"),
                new Case("kafka offsets topic with a slash", with("file: ./data/orders.offsets",
                        "kafka: {bootstrap-servers: \"k:9092\", topic: a/b}"), 21, "pipelines[0].offsets.kafka.topic",
                        "\"a/b\" is not a valid Kafka topic name"),
                new Case("unknown offsets store", with("file: ./data/orders.offsets", "jbdc: {}"),
                        21, "pipelines[0].offsets.jbdc", "did you mean \"jdbc\"?"),
                new Case("row filter with unquoted text", withTransform("filter: \"status = paid\""),
                        24, "pipelines[0].transforms[0].filter",
                        "expected a value ('text', a number, true or false), got \"paid\"; text goes in single quotes"
                                + " (at character 10 of the filter)"),
                new Case("keep and drop together", withTransform("keep: [id]\n        drop: [note]"),
                        25, "pipelines[0].transforms[0].drop", "cannot be used together with keep"),
                new Case("transform for a table that is not captured", withTransform("drop: [note]")
                        .replace("tables: [public.customers]\n        drop", "tables: [public.invoices]\n        drop"),
                        23, "pipelines[0].transforms[0].tables[0]",
                        "\"public.invoices\" matches none of the captured tables"),
                new Case("column both masked and hashed", withTransform("mask: [email]\n        hash: [email]"),
                        25, "pipelines[0].transforms[0].hash", "column \"email\" is both masked and hashed"),
                new Case("hash key without hash", withTransform("hash-key: ${PG_PASSWORD}"),
                        24, "pipelines[0].transforms[0].hash-key", "is only used with hash"),
                new Case("sink table that is not captured", with("topic:", "tables: [public.invoices]\n          topic:"),
                        17, "pipelines[0].sinks[0].kafka.tables[0]",
                        "\"public.invoices\" matches none of the captured tables"),
                new Case("batch size of zero", with("topic:", "batch-size: 0\n          topic:"),
                        17, "pipelines[0].sinks[0].kafka.batch-size", "must be between 1 and 100000"),
                new Case("retry ceiling below its start", with("topic:",
                        "retry: {initial-backoff: 5s, max-backoff: 1s}\n          topic:"),
                        17, "pipelines[0].sinks[0].kafka.retry.max-backoff", "is shorter than initial-backoff (5s)"),
                new Case("routed topic with an unknown placeholder", withTransform("topic: \"shop.{tabel}\""),
                        24, "pipelines[0].transforms[0].topic", "unknown placeholder {tabel}"),
                new Case("routed redis key without {key}", withTransform("key: \"customer:{table}\""),
                        24, "pipelines[0].transforms[0].key", "has no {key}"),
                new Case("routed index with a forbidden character", withTransform("index: \"customers v2\""),
                        24, "pipelines[0].transforms[0].index", "is not allowed in an Elasticsearch index name"),
                new Case("dead-letter policy without a target", with("topic:", "on-failure: dead-letter\n          topic:"),
                        17, "pipelines[0].sinks[0].kafka.on-failure", "is dead-letter, but the pipeline has no"
                                + " dead-letter target (add to the pipeline (or to defaults:) e.g. dead-letter:"),
                new Case("dead-letter file without a path", withDeadLetter("file: {}"),
                        23, "pipelines[0].dead-letter.file.path", "missing required key"),
                new Case("dead-letter file that is the offsets file",
                        withDeadLetter("file: {path: data/orders.offsets}"), 23, "pipelines[0].dead-letter.file.path",
                        "dead-letter file \"data/orders.offsets\" is already used at line 21"),
                new Case("inherited dead-letter file shared by two pipelines",
                        "defaults:\n  dead-letter:\n    file: {path: ./data/dead-letters.jsonl}\n" + YAML
                                + SECOND_PIPELINE, 3, "pipelines[1].dead-letter.file.path",
                        "is already used at line 3 (each pipeline needs a dead-letter file of its own, apart from its"
                                + " offsets: e.g. ./data/{pipeline}.dead-letters.jsonl)"),
                new Case("unknown placeholder in a dead-letter file", withDeadLetter("file: {path: \"{name}.jsonl\"}"),
                        23, "pipelines[0].dead-letter.file.path",
                        "unknown placeholder {name} (the only placeholder here is {pipeline})"),
                new Case("dead-letter topic without servers", withDeadLetter("kafka: {topic: dlq}"),
                        23, "pipelines[0].dead-letter.kafka.bootstrap-servers", "missing required key"),
                new Case("dead-letter topic with a slash",
                        withDeadLetter("kafka: {bootstrap-servers: \"k:9092\", topic: \"{pipeline}/dlq\"}"),
                        23, "pipelines[0].dead-letter.kafka.topic", "is not a valid Kafka topic name"),
                new Case("unknown dead-letter target", withDeadLetter("fiel: {path: x.jsonl}"),
                        23, "pipelines[0].dead-letter.fiel", "did you mean \"file\"?"),
                new Case("admin port out of range", YAML + "admin:\n  port: 70000\n",
                        23, "admin.port", "expected a port number between 1 and 65535"),
                new Case("empty admin token", YAML + "admin:\n  token: \"\"\n",
                        23, "admin.token", "is empty"),
                new Case("zero shutdown grace period", YAML + "shutdown:\n  grace-period: 0s\n",
                        23, "shutdown.grace-period", "must be longer than zero"),
                new Case("excluded column without table", with("snapshot: initial", "exclude-columns: [ssn]"),
                        13, "pipelines[0].source.postgres.exclude-columns[0]",
                        "\"ssn\" is not a column name of the form schema.table.column"),
                new Case("columns included and excluded", with("snapshot: initial",
                        "include-columns: [public.orders.id]\n        exclude-columns: [public.orders.note]"),
                        14, "pipelines[0].source.postgres.exclude-columns",
                        "cannot be used together with include-columns"),
                new Case("unknown publication mode", with("snapshot: initial", "publication-create: always"),
                        13, "pipelines[0].source.postgres.publication-create",
                        "expected one of filtered, all-tables, never, got \"always\""),
                new Case("verify-full without a CA", with("snapshot: initial", "tls: {mode: verify-full}"),
                        13, "pipelines[0].source.postgres.tls.mode", "verify-full needs root-cert"),
                new Case("missing CA for postgres", with("snapshot: initial",
                        "tls: {mode: verify-ca, root-cert: /nonexistent/ca.pem}"),
                        13, "pipelines[0].source.postgres.tls.root-cert", "is not a readable file"),
                new Case("no pipelines", "pipelines: []\n", 1, "pipelines", "must list at least one pipeline"),
                new Case("offsets missing", with("    offsets:\n      file: ./data/orders.offsets\n", ""),
                        2, "pipelines[0].offsets", "missing required key"),
                new Case("undefined environment variable", YAML, Map.of(),
                        9, "pipelines[0].source.postgres.password", "environment variable PG_PASSWORD is not set"),
                new Case("secret file that is not mounted",
                        with("${PG_PASSWORD}", "${file:/nonexistent/sluice/pg-password}"), 9,
                        "pipelines[0].source.postgres.password", "file /nonexistent/sluice/pg-password does not exist"
                                + " (mount the file there, or correct the path in ${file:...})"),
                new Case("unclosed reference", with("${PG_PASSWORD}", "${PG_PASSWORD"),
                        9, "pipelines[0].source.postgres.password", "\"${\" is not closed by \"}\""),
                new Case("duplicate key", with("port: 5432", "port: 5432\n        port: 5433"),
                        7, "pipelines[0].source.postgres.port", "duplicate key \"port\", first written at line 6"),
                new Case("alias", with("user: sluice", "user: *admin"),
                        8, "pipelines[0].source.postgres.user", "YAML aliases (*admin) are not supported"),
                new Case("empty file", "", 1, "", "the file is empty"),
                new Case("comments only", "# pipelines: []\n", 1, "", "the file is empty"),
                new Case("tab indentation", with("        host: localhost", "\thost: localhost"),
                        5, "", "tab character; YAML indents with spaces only"),
                new Case("line indented too little", with("        port: 5432", "       port: 5432"),
                        6, "", "the indentation of this line does not match the lines above it"),
                new Case("colon in a plain value", with("database: shop", "database: shop: x"),
                        7, "", "unexpected ':'"),
                new Case("unclosed quote", with("database: shop", "database: \"shop"),
                        7, "", "this quoted value runs on to line 17; is its closing quote missing?"),
                new Case("unclosed bracket", with("public.customers]", "public.customers"),
                        12, "", "'[' opened here is not closed by a matching ']'"),
                new Case("second document", YAML + "---\npipelines: []\n", 23, "", "this is in a second YAML document"),
                new Case("not a mapping", "- orders\n", 1, "", "expected a mapping, got a list"),
                new Case("unknown redis value mode", with(REDIS_YAML, "value: json", "value: xml"),
                        18, "pipelines[0].sinks[0].redis.value", "expected one of hash, json, got \"xml\""),
                new Case("misspelt redis key", with(REDIS_YAML, "delete-marker-ttl: 1h", "delete-marker-tll: 1h"),
                        19, "pipelines[0].sinks[0].redis.delete-marker-tll",
                        "did you mean \"delete-marker-ttl\"?"),
                new Case("redis without an address", with(REDIS_YAML, "host: cache.local", "port: 6380"),
                        15, "pipelines[0].sinks[0].redis", "needs host, sentinel or cluster to say where Redis is"),
                new Case("redis host and cluster",
                        with(REDIS_YAML, "host: cache.local", "host: cache.local\n          cluster: {nodes: [a:7000]}"),
                        17, "pipelines[0].sinks[0].redis.cluster", "give only one of host, sentinel and cluster"),
                new Case("redis cluster node without port",
                        with(REDIS_YAML, "host: cache.local", "cluster: {nodes: [a:7000, b]}"),
                        16, "pipelines[0].sinks[0].redis.cluster.nodes[1]", "\"b\" is not host:port"),
                new Case("redis sentinel without master",
                        with(REDIS_YAML, "host: cache.local", "sentinel: {nodes: [s:26379]}"),
                        16, "pipelines[0].sinks[0].redis.sentinel.master", "missing required key"),
                new Case("redis database in a cluster",
                        with(REDIS_YAML, "host: cache.local", "cluster: {nodes: [a:7000]}\n          database: 2"),
                        17, "pipelines[0].sinks[0].redis.database", "Redis Cluster has only database 0"),
                new Case("negative redis database", with(REDIS_YAML, "value: json", "database: -1"),
                        18, "pipelines[0].sinks[0].redis.database", "must be 0 or more"),
                new Case("zero redis ttl", with(REDIS_YAML, "value: json", "ttl: 0s"),
                        18, "pipelines[0].sinks[0].redis.ttl", "must be at least 1ms"),
                new Case("delete marker ttl below a millisecond",
                        with(REDIS_YAML, "delete-marker-ttl: 1h", "delete-marker-ttl: PT0.0001S"),
                        19, "pipelines[0].sinks[0].redis.delete-marker-ttl", "must be at least 1ms"),
                new Case("zero redis timeout", with(REDIS_YAML, "value: json", "timeout: 0s"),
                        18, "pipelines[0].sinks[0].redis.timeout", "must be longer than zero"),
                new Case("redis key without {key}", with(REDIS_YAML, ":{table}:{key}\"", ":{table}\""),
                        17, "pipelines[0].sinks[0].redis.key", "\"shop:{table}\" has no {key}"),
                new Case("redis key with {key} twice", with(REDIS_YAML, ":{table}:{key}\"", ":{key}:{key}\""),
                        17, "pipelines[0].sinks[0].redis.key", "has {key} more than once"),
                new Case("redis key placeholder after {key}", with(REDIS_YAML, ":{table}:{key}\"", ":{key}:{table}\""),
                        17, "pipelines[0].sinks[0].redis.key", "only literal text may follow {key}"),
                new Case("redis {key} right after a placeholder", with(REDIS_YAML, ":{table}:{key}\"", ":{table}{key}\""),
                        17, "pipelines[0].sinks[0].redis.key", "{key} must follow literal text"),
                new Case("unknown redis key placeholder", with(REDIS_YAML, ":{table}:{key}\"", ":{tabel}:{key}\""),
                        17, "pipelines[0].sinks[0].redis.key", "unknown placeholder {tabel} (did you mean {table}?)"),
                new Case("stray brace in a redis key", with(REDIS_YAML, ":{table}:{key}\"", ":{table}}:{key}\""),
                        17, "pipelines[0].sinks[0].redis.key", "'}' without '{'"));
    }

    /** The example with an Elasticsearch sink after the Kafka one: the sink starts on line 20, urls on 21. */
    private static String withElasticsearch(String fragment, String replacement) {
        String yaml = with("    offsets:\n", """
                      - elasticsearch:
                          urls: [http://localhost:9200]
                          index: "{table}"
                    offsets:
                """);
        return with(yaml, fragment, replacement);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigurations")
    void reportsTheProblemAtItsLineAndKey(Case invalid) {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(invalid.env()::get).load(invalid.yaml(), FILE));

        assertThat(error).as("loading should fail").isNotNull();
        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(FILE);
            assertThat(problem.line()).isEqualTo(invalid.line());
            assertThat(problem.column()).isPositive();
            assertThat(problem.path()).isEqualTo(invalid.path());
            assertThat(problem.render()).contains(invalid.fragment());
        });
    }

    /** {@link ExampleConfig#YAML} with a dead-letter target after the offsets, its body on line 23. */
    private static String withDeadLetter(String body) {
        return YAML + "    dead-letter:\n      " + body + "\n";
    }

    /** {@link ExampleConfig#YAML} with one transform for public.customers after the offsets; its tables are on line 23, its body starts on line 24. */
    private static String withTransform(String body) {
        return YAML + """
                    transforms:
                      - tables: [public.customers]
                        BODY
                """.replace("BODY", body);
    }
}
