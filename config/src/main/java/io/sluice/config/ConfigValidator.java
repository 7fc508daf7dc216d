package io.sluice.config;

import io.sluice.config.deadletter.DeadLetterConfig;
import io.sluice.config.deadletter.FileDeadLetterConfig;
import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisClusterConfig;
import io.sluice.config.sink.RedisSentinelConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RetryConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.PostgresTlsConfig;
import io.sluice.config.source.SslMode;
import io.sluice.config.source.SourceConfig;
import io.sluice.config.transform.RowFilterParser;
import io.sluice.config.transform.TableNames;
import io.sluice.config.transform.TransformConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules a bound configuration must meet before anything starts. Every rule runs and reports into
 * {@link Problems}; nothing is repaired. Uniqueness is checked across pipelines, each duplicate pointing back
 * at the first use.
 */
final class ConfigValidator {

    private static final Pattern PIPELINE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    /** Unquoted PostgreSQL identifiers as used for slots and publications; 63 is NAMEDATALEN - 1. */
    private static final Pattern PG_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final int PG_IDENTIFIER_MAX_LENGTH = 63;
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");
    private static final Pattern COLUMN_PATTERN =
            Pattern.compile("[A-Za-z_*][A-Za-z0-9_$*]*\\.[A-Za-z_*][A-Za-z0-9_$*]*\\.[A-Za-z_*][A-Za-z0-9_$*]*");
    private static final Pattern TABLE_PATTERN = Pattern.compile("[A-Za-z_*][A-Za-z0-9_$*]*\\.[A-Za-z_*][A-Za-z0-9_$*]*");
    private static final Pattern SERVER = Pattern.compile("(?:\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final List<String> TOPIC_PLACEHOLDERS = List.of("database", "schema", "table");
    private static final Pattern TOPIC_CHARACTER = Pattern.compile("[A-Za-z0-9._-]");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    /** Characters Elasticsearch refuses in index and alias names (':' is deprecated there, so refused here). */
    private static final String INDEX_FORBIDDEN_CHARACTERS = "\\/*?\"<>|,# :";
    private static final Set<String> INDEX_FILE_KEYS = Set.of("settings", "mappings");
    private static final int MAX_IN_FLIGHT = 16;
    private static final int MAX_BATCH_SIZE = 100_000;
    private static final int MIN_BULK_BYTES = 1024;
    private static final List<String> REDIS_KEY_PLACEHOLDERS = List.of("database", "schema", "table", "key");

    private final Problems problems;
    private final Map<String, String> pipelineNames = new HashMap<>();
    private final Map<String, String> slots = new HashMap<>();
    /** Offsets and dead-letter files by absolute path: no two pipelines, and no two uses, may share one. */
    private final Map<String, String> localFiles = new HashMap<>();

    ConfigValidator(Problems problems) {
        this.problems = problems;
    }

    void validate(SluiceConfig config) {
        if (config.pipelines().isEmpty()) {
            requireNonEmpty("pipelines", "must list at least one pipeline", "");
            return;
        }
        for (int i = 0; i < config.pipelines().size(); i++) {
            validatePipeline(KeyPath.index("pipelines", i), config.pipelines().get(i));
        }
        requireText(KeyPath.key("admin", "address"), config.admin().address());
        if (config.admin().port() != 0) {
            requirePort(KeyPath.key("admin", "port"), config.admin().port());
        }
        if (config.admin().token() != null && config.admin().token().reveal().isBlank()) {
            problems.add(KeyPath.key("admin", "token"), "is empty",
                    "set a token, or remove admin.token to serve the admin endpoint without one");
        }
        requirePositive(KeyPath.key("shutdown", "grace-period"), config.shutdown().gracePeriod());
    }

    private void validatePipeline(String path, PipelineConfig pipeline) {
        String namePath = KeyPath.key(path, "name");
        if (requireText(namePath, pipeline.name())) {
            if (!PIPELINE_NAME.matcher(pipeline.name()).matches()) {
                problems.add(namePath, problems.show(namePath, pipeline.name()) + " is not a valid pipeline name",
                        "use lowercase letters, digits, '_' and '-', starting with a letter or digit");
            } else {
                requireUnique(namePath, pipeline.name(), pipelineNames,
                        "pipeline name " + problems.show(namePath, pipeline.name()), "");
            }
        }
        validateSource(KeyPath.key(path, "source"), pipeline.source());
        List<String> captured = pipeline.source() == null || pipeline.source().postgres() == null ? List.of()
                : pipeline.source().postgres().tables();
        validateSinks(KeyPath.key(path, "sinks"), pipeline.sinks(), captured, pipeline.deadLetter() != null);
        validateOffsets(KeyPath.key(path, "offsets"), pipeline.offsets());
        if (pipeline.deadLetter() != null) {
            validateDeadLetter(KeyPath.key(path, "dead-letter"), pipeline.deadLetter(), pipeline.name());
        }
        for (int i = 0; i < pipeline.transforms().size(); i++) {
            validateTransform(KeyPath.index(KeyPath.key(path, "transforms"), i), pipeline.transforms().get(i),
                    captured);
        }
    }

    private void validateSource(String path, SourceConfig source) {
        String postgresPath = KeyPath.key(path, "postgres");
        if (source == null) {
            problems.missing(path);
        } else if (source.postgres() == null) {
            problems.missing(postgresPath);
        } else {
            validatePostgres(postgresPath, source.postgres());
        }
    }

    private void validatePostgres(String path, PostgresSourceConfig postgres) {
        requireText(KeyPath.key(path, "host"), postgres.host());
        requireText(KeyPath.key(path, "database"), postgres.database());
        requireText(KeyPath.key(path, "user"), postgres.user());
        String slotPath = KeyPath.key(path, "slot");
        if (requireText(slotPath, postgres.slot())
                && requireIdentifier(slotPath, postgres.slot(), "replication slot")) {
            requireUnique(slotPath, postgres.slot(), slots,
                    "replication slot " + problems.show(slotPath, postgres.slot()),
                    "each pipeline needs its own replication slot");
        }
        String publicationPath = KeyPath.key(path, "publication");
        if (requireText(publicationPath, postgres.publication())) {
            requireIdentifier(publicationPath, postgres.publication(), "publication");
        }
        requirePort(KeyPath.key(path, "port"), postgres.port());
        validateTables(path, postgres);
        validateTls(KeyPath.key(path, "tls"), postgres.tls());
        Duration connectTimeout = postgres.connectTimeout();
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            problems.add(KeyPath.key(path, "connect-timeout"), "must be longer than zero");
        }
        if (postgres.maxTransactionChanges() < 1) {
            problems.add(KeyPath.key(path, "max-transaction-changes"), "must be at least 1");
        }
        if (postgres.heartbeat().interval().isNegative()) {
            problems.add(KeyPath.key(KeyPath.key(path, "heartbeat"), "interval"), "must not be negative", "0 turns heartbeats off");
        }
        if (postgres.heartbeat().query() != null) {
            requireText(KeyPath.key(KeyPath.key(path, "heartbeat"), "query"), postgres.heartbeat().query());
        }
        if (postgres.walLagWarning().bytes() == 0) {
            problems.add(KeyPath.key(path, "wal-lag-warning"), "must be larger than zero", "e.g. 1GB");
        }
        String signalPath = KeyPath.key(path, "signal-table");
        if (postgres.signalTable() != null && !TABLE.matcher(postgres.signalTable()).matches()) {
            problems.add(signalPath, problems.show(signalPath, postgres.signalTable())
                    + " is not a table name of the form schema.table", "e.g. public.sluice_signal");
        }
    }

    private void validateTables(String path, PostgresSourceConfig postgres) {
        String tablesPath = KeyPath.key(path, "tables");
        if (postgres.tables().isEmpty()) {
            requireNonEmpty(tablesPath, "must list at least one table",
                    "tables are written as schema.table, e.g. public.orders, or as a pattern, e.g. \"public.*\"");
        }
        requirePatterns(tablesPath, postgres.tables(), TABLE_PATTERN, "a table name of the form schema.table",
                "e.g. public.orders, or \"public.*\" for every table of a schema");
        requirePatterns(KeyPath.key(path, "exclude-tables"), postgres.excludeTables(), TABLE_PATTERN,
                "a table name of the form schema.table", "e.g. public.audit_log, or \"public.tmp_*\"");
        requirePatterns(KeyPath.key(path, "include-columns"), postgres.includeColumns(), COLUMN_PATTERN,
                "a column name of the form schema.table.column", "e.g. public.customers.email");
        requirePatterns(KeyPath.key(path, "exclude-columns"), postgres.excludeColumns(), COLUMN_PATTERN,
                "a column name of the form schema.table.column", "e.g. public.customers.ssn, or \"*.*.ssn\"");
        if (!postgres.includeColumns().isEmpty() && !postgres.excludeColumns().isEmpty()) {
            problems.add(KeyPath.key(path, "exclude-columns"), "cannot be used together with include-columns",
                    "give include-columns or exclude-columns");
        }
    }

    private void requirePatterns(String path, List<String> values, Pattern form, String what, String hint) {
        for (int i = 0; i < values.size(); i++) {
            String itemPath = KeyPath.index(path, i);
            if (!form.matcher(values.get(i)).matches()) {
                problems.add(itemPath, problems.show(itemPath, values.get(i)) + " is not " + what, hint);
            }
        }
    }

    private void validateTls(String path, PostgresTlsConfig tls) {
        String certPath = KeyPath.key(path, "root-cert");
        if (tls.rootCert() != null) {
            if (!Files.isReadable(tls.rootCert()) || Files.isDirectory(tls.rootCert())) {
                problems.add(certPath, problems.show(certPath, tls.rootCert().toString()) + " is not a readable file");
            }
        } else if (tls.mode() == SslMode.VERIFY_CA || tls.mode() == SslMode.VERIFY_FULL) {
            problems.add(KeyPath.key(path, "mode"), tls.mode().yamlName() + " needs root-cert, the CA certificate"
                    + " to verify the server with", "add root-cert: /path/to/ca.pem");
        }
    }

    private void validateSinks(String path, List<SinkConfig> sinks, List<String> captured, boolean deadLetterTarget) {
        if (sinks.isEmpty()) {
            requireNonEmpty(path, "must list at least one sink", "");
        }
        for (int i = 0; i < sinks.size(); i++) {
            SinkConfig sink = sinks.get(i);
            String sinkPath = KeyPath.key(KeyPath.index(path, i), sink.kind());
            requireCapturedPatterns(KeyPath.key(sinkPath, "tables"), sink.tables(), captured);
            if (sink.batchSize() < 1 || sink.batchSize() > MAX_BATCH_SIZE) {
                problems.add(KeyPath.key(sinkPath, "batch-size"), "must be between 1 and " + MAX_BATCH_SIZE);
            }
            if (sink.retry() != null) {
                validateRetry(KeyPath.key(sinkPath, "retry"), sink.retry());
            }
            if (sink.onFailure() == FailurePolicy.DEAD_LETTER && !deadLetterTarget) {
                problems.add(KeyPath.key(sinkPath, "on-failure"), "is dead-letter, but the pipeline has no"
                        + " dead-letter target", "add to the pipeline (or to defaults:) e.g. dead-letter: {file:"
                        + " {path: ./data/{pipeline}.dead-letters.jsonl}} or dead-letter: {kafka: {bootstrap-servers:"
                        + " kafka:9092}}");
            }
            if (sink instanceof KafkaSinkConfig kafka) {
                validateKafka(sinkPath, kafka);
            } else if (sink instanceof ElasticsearchSinkConfig elasticsearch) {
                validateElasticsearch(sinkPath, elasticsearch);
            } else if (sink instanceof RedisSinkConfig redis) {
                validateRedis(sinkPath, redis);
            }
        }
    }

    private void validateRetry(String path, RetryConfig retry) {
        requireMilliseconds(KeyPath.key(path, "initial-backoff"), retry.initialBackoff());
        if (retry.maxBackoff().compareTo(retry.initialBackoff()) < 0) {
            problems.add(KeyPath.key(path, "max-backoff"), "is shorter than initial-backoff ("
                    + Durations.format(retry.initialBackoff()) + ")", "the delays grow from initial-backoff up to it");
        }
    }

    /** Table patterns that narrow down the captured tables: each must be well formed and match one of them. */
    private void requireCapturedPatterns(String path, List<String> patterns, List<String> captured) {
        for (int i = 0; i < patterns.size(); i++) {
            String tablePath = KeyPath.index(path, i);
            String pattern = patterns.get(i);
            if (!TABLE_PATTERN.matcher(pattern).matches()) {
                problems.add(tablePath, problems.show(tablePath, pattern) + " is not a table name or pattern of the"
                        + " form schema.table", "'*' matches any characters, e.g. \"public.*\"");
            } else if (!captured.isEmpty() && captured.stream().noneMatch(t -> t.contains("*"))
                    && captured.stream().noneMatch(TableNames.matcher(pattern))) {
                problems.add(tablePath, problems.show(tablePath, pattern) + " matches none of the captured tables",
                        "captured: " + String.join(", ", captured));
            }
        }
    }

    private void validateKafka(String path, KafkaSinkConfig kafka) {
        validateBootstrapServers(KeyPath.key(path, "bootstrap-servers"), kafka.bootstrapServers());
        String topicPath = KeyPath.key(path, "topic");
        if (requireText(topicPath, kafka.topic())) {
            validateTopic(topicPath, kafka.topic());
        }
    }

    private void validateTransform(String path, TransformConfig transform, List<String> captured) {
        String tablesPath = KeyPath.key(path, "tables");
        if (transform.tables().isEmpty()) {
            requireNonEmpty(tablesPath, "must list at least one table", "e.g. [public.customers] or [\"public.*\"]");
        }
        requireCapturedPatterns(tablesPath, transform.tables(), captured);
        String topicPath = KeyPath.key(path, "topic");
        if (transform.topic() != null && requireText(topicPath, transform.topic())) {
            validateTopic(topicPath, transform.topic());
        }
        if (transform.index() != null) {
            validateIndexTemplate(KeyPath.key(path, "index"), transform.index(), "index");
        }
        String keyPath = KeyPath.key(path, "key");
        if (transform.key() != null && requireText(keyPath, transform.key())) {
            validateRedisKey(keyPath, transform.key());
        }
        if (transform.keep() != null && !transform.drop().isEmpty()) {
            problems.add(KeyPath.key(path, "drop"), "cannot be used together with keep", "give keep or drop");
        }
        for (String column : transform.mask()) {
            if (transform.hash().contains(column)) {
                problems.add(KeyPath.key(path, "hash"), "column \"" + column + "\" is both masked and hashed",
                        "choose one");
            }
        }
        if (transform.hashKey() != null && transform.hash().isEmpty()) {
            problems.add(KeyPath.key(path, "hash-key"), "is only used with hash");
        }
        if (transform.rename().values().stream().distinct().count() < transform.rename().size()) {
            problems.add(KeyPath.key(path, "rename"), "renames two columns to the same name");
        }
        String filterPath = KeyPath.key(path, "filter");
        if (transform.filter() != null && requireText(filterPath, transform.filter())) {
            try {
                RowFilterParser.parse(transform.filter());
            } catch (RowFilterParser.SyntaxException e) {
                problems.add(filterPath, e.getMessage() + " (at character " + e.position() + " of the filter)",
                        "e.g. status = 'paid' and amount >= 100; see docs/configuration.md#row-filters");
            }
        }
    }

    private void validateBootstrapServers(String path, String servers) {
        if (requireText(path, servers)) {
            for (String server : servers.split(",", -1)) {
                Matcher matcher = SERVER.matcher(server.trim());
                if (!matcher.matches() || !isPort(Integer.parseInt(matcher.group(1)))) {
                    problems.add(path, problems.show(path, servers) + " is not a list of host:port",
                            "e.g. kafka-1:9092,kafka-2:9092");
                    return;
                }
            }
        }
    }

    private void validateElasticsearch(String path, ElasticsearchSinkConfig es) {
        String urlsPath = KeyPath.key(path, "urls");
        if (es.urls().isEmpty()) {
            requireNonEmpty(urlsPath, "must list at least one node URL", "e.g. [https://es-1:9200]");
        }
        boolean anyHttps = false;
        for (int i = 0; i < es.urls().size(); i++) {
            anyHttps |= validateNodeUrl(KeyPath.index(urlsPath, i), es.urls().get(i));
        }
        validateIndexTemplate(KeyPath.key(path, "index"), es.index(), "index");
        if (es.alias() != null) {
            validateIndexTemplate(KeyPath.key(path, "alias"), es.alias(), "alias");
        }
        String filePath = KeyPath.key(path, "index-file");
        if (es.indexFile() != null) {
            if (!es.settings().isEmpty() || !es.mappings().isEmpty()) {
                problems.add(filePath, "index-file and inline settings or mappings cannot be used together",
                        "put settings and mappings either in the file or in this file");
            }
            validateIndexFile(filePath, es.indexFile());
        }
        if (mentionsGcDeletes(es.settings())) {
            problems.add(KeyPath.key(path, "settings"), "index.gc_deletes is set by Sluice from gc-deletes",
                    "use the gc-deletes key of the sink instead");
        }
        requirePositive(KeyPath.key(path, "gc-deletes"), es.gcDeletes());
        requirePositive(KeyPath.key(path, "request-timeout"), es.requestTimeout());
        requirePositive(KeyPath.key(path, "connect-timeout"), es.connectTimeout());
        validateAuth(KeyPath.key(path, "auth"), es.auth());
        if (es.tls().caFile() != null) {
            String caPath = KeyPath.key(KeyPath.key(path, "tls"), "ca-file");
            if (!Files.isRegularFile(es.tls().caFile()) || !Files.isReadable(es.tls().caFile())) {
                problems.add(caPath, problems.show(caPath, es.tls().caFile().toString())
                        + " is not a readable file");
            } else if (!anyHttps && !es.urls().isEmpty()) {
                problems.add(caPath, "a CA file is given but no URL uses https", "use https:// URLs");
            }
        }
        String bulkPath = KeyPath.key(path, "bulk");
        if (es.bulk().maxActions() < 1) {
            problems.add(KeyPath.key(bulkPath, "max-actions"), "must be at least 1");
        }
        if (es.bulk().maxBytes() < MIN_BULK_BYTES) {
            problems.add(KeyPath.key(bulkPath, "max-bytes"), "must be at least " + MIN_BULK_BYTES + " bytes");
        }
        if (es.bulk().maxInFlight() < 1 || es.bulk().maxInFlight() > MAX_IN_FLIGHT) {
            problems.add(KeyPath.key(bulkPath, "max-in-flight"), "must be between 1 and " + MAX_IN_FLIGHT);
        }
    }

    /** Returns whether the URL is a valid https URL. */
    private boolean validateNodeUrl(String path, String url) {
        String hint = "e.g. https://es-1:9200";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            problems.add(path, problems.show(path, url) + " is not a URL", hint);
            return false;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            problems.add(path, problems.show(path, url) + " is not an http:// or https:// URL with a host", hint);
            return false;
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            problems.add(path, problems.show(path, url) + " must be only scheme, host and port",
                    "credentials go under auth; path prefixes are not supported");
            return false;
        }
        return scheme.equals("https");
    }

    /** An index or alias template: placeholders plus characters Elasticsearch accepts in names. */
    private void validateIndexTemplate(String path, String template, String what) {
        if (!requireText(path, template)) {
            return;
        }
        boolean fromEnvironment = problems.substitution(path).isPresent();
        String shown = problems.show(path, template);
        if (template.startsWith("-") || template.startsWith("_") || template.startsWith("+")) {
            problems.add(path, "an " + what + " name cannot start with '-', '_' or '+': " + shown);
            return;
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                int close = template.indexOf('}', i);
                if (close < 0) {
                    problems.add(path, "'{' is not closed by '}' in " + shown);
                    return;
                }
                String name = template.substring(i + 1, close);
                if (!TOPIC_PLACEHOLDERS.contains(name)) {
                    problems.add(path, "unknown placeholder " + (fromEnvironment ? "in " + shown : "{" + name + "}"),
                            fromEnvironment ? supportedPlaceholders() : placeholderHint(name));
                    return;
                }
                i = close;
            } else if (c == '}' || INDEX_FORBIDDEN_CHARACTERS.indexOf(c) >= 0) {
                problems.add(path, (fromEnvironment ? "a character" : "'" + c + "'") + " in " + shown
                        + " is not allowed in an Elasticsearch " + what + " name",
                        "not allowed: \\ / * ? \" < > | , # : and spaces");
                return;
            }
        }
    }

    private void validateIndexFile(String path, Path file) {
        String shown = problems.show(path, file.toString());
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            problems.add(path, shown + " cannot be read as JSON: " + firstLine(e.getMessage()));
            return;
        }
        if (body == null || !body.isObject()) {
            problems.add(path, shown + " must hold a JSON object", "e.g. {\"settings\": {...}, \"mappings\": {...}}");
            return;
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!INDEX_FILE_KEYS.contains(name)) {
                problems.add(path, shown + " holds \"" + name + "\"; only settings and mappings are supported");
                return;
            }
        }
        JsonNode settings = body.path("settings");
        if (settings.has("index.gc_deletes") || settings.has("gc_deletes")
                || settings.path("index").has("gc_deletes")) {
            problems.add(path, shown + " sets index.gc_deletes, which Sluice sets from gc-deletes",
                    "use the gc-deletes key of the sink instead");
        }
    }

    /** Whether index settings written as YAML set gc_deletes, flat ({@code index.gc_deletes}) or nested. */
    private static boolean mentionsGcDeletes(Map<String, Object> settings) {
        if (settings.containsKey("index.gc_deletes") || settings.containsKey("gc_deletes")) {
            return true;
        }
        return settings.get("index") instanceof Map<?, ?> index && index.containsKey("gc_deletes");
    }

    private void validateAuth(String path, ElasticsearchSinkConfig.Auth auth) {
        boolean basic = auth.username() != null || auth.password() != null;
        if (basic && auth.apiKey() != null) {
            problems.add(KeyPath.key(path, "api-key"), "use either username and password or api-key, not both");
            return;
        }
        if (auth.username() != null && auth.password() == null) {
            problems.missing(KeyPath.key(path, "password"));
        } else if (auth.password() != null && auth.username() == null) {
            problems.missing(KeyPath.key(path, "username"));
        } else if (auth.username() != null) {
            requireText(KeyPath.key(path, "username"), auth.username());
        }
        if (auth.apiKey() != null && auth.apiKey().isEmpty()) {
            problems.add(KeyPath.key(path, "api-key"), "must not be empty");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "I/O error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** A topic template: legal Kafka topic characters around {@code {database}}, {@code {schema}}, {@code {table}}. */
    private void validateTopic(String path, String topic) {
        boolean fromEnvironment = problems.substitution(path).isPresent();
        String shown = problems.show(path, topic);
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '{') {
                int close = topic.indexOf('}', i);
                if (close < 0) {
                    problems.add(path, "'{' is not closed by '}' in " + shown);
                    return;
                }
                String name = topic.substring(i + 1, close);
                if (!TOPIC_PLACEHOLDERS.contains(name)) {
                    problems.add(path, "unknown placeholder " + (fromEnvironment ? "in " + shown : "{" + name + "}"),
                            fromEnvironment ? supportedPlaceholders() : placeholderHint(name));
                    return;
                }
                i = close;
            } else if (!TOPIC_CHARACTER.matcher(String.valueOf(c)).matches()) {
                problems.add(path, (fromEnvironment ? "a character" : "'" + c + "'") + " in " + shown
                        + " is not allowed in a Kafka topic name", "use letters, digits, '.', '_' and '-'");
                return;
            }
        }
    }

    private void validateRedis(String path, RedisSinkConfig redis) {
        String hostPath = KeyPath.key(path, "host");
        String sentinelPath = KeyPath.key(path, "sentinel");
        String clusterPath = KeyPath.key(path, "cluster");
        int locations = (redis.host() != null ? 1 : 0) + (redis.sentinel() != null ? 1 : 0)
                + (redis.cluster() != null ? 1 : 0);
        if (locations == 0) {
            problems.add(path, "needs host, sentinel or cluster to say where Redis is", "e.g. host: localhost");
        } else if (locations > 1) {
            String second = redis.cluster() != null ? clusterPath : sentinelPath;
            problems.add(second, "give only one of host, sentinel and cluster");
        } else if (redis.host() != null) {
            requireText(hostPath, redis.host());
            requirePort(KeyPath.key(path, "port"), redis.port());
        } else if (redis.sentinel() != null) {
            validateRedisSentinel(sentinelPath, redis.sentinel());
        } else {
            validateRedisCluster(clusterPath, redis.cluster());
        }
        String databasePath = KeyPath.key(path, "database");
        if (redis.database() < 0) {
            problems.add(databasePath, "must be 0 or more");
        } else if (redis.cluster() != null && redis.database() != 0) {
            problems.add(databasePath, "Redis Cluster has only database 0");
        }
        if (redis.user() != null) {
            requireText(KeyPath.key(path, "user"), redis.user());
        }
        String keyPath = KeyPath.key(path, "key");
        if (requireText(keyPath, redis.key())) {
            validateRedisKey(keyPath, redis.key());
        }
        requireMilliseconds(KeyPath.key(path, "ttl"), redis.ttl());
        requireMilliseconds(KeyPath.key(path, "delete-marker-ttl"), redis.deleteMarkerTtl());
        requirePositive(KeyPath.key(path, "timeout"), redis.timeout());
    }

    private void validateRedisSentinel(String path, RedisSentinelConfig sentinel) {
        requireText(KeyPath.key(path, "master"), sentinel.master());
        validateRedisNodes(KeyPath.key(path, "nodes"), sentinel.nodes(), "e.g. [sentinel-1:26379, sentinel-2:26379]");
        if (sentinel.user() != null) {
            requireText(KeyPath.key(path, "user"), sentinel.user());
        }
    }

    private void validateRedisCluster(String path, RedisClusterConfig cluster) {
        validateRedisNodes(KeyPath.key(path, "nodes"), cluster.nodes(), "e.g. [redis-1:6379, redis-2:6379]");
    }

    private void validateRedisNodes(String path, List<String> nodes, String example) {
        if (nodes.isEmpty()) {
            requireNonEmpty(path, "must list at least one host:port", example);
        }
        for (int i = 0; i < nodes.size(); i++) {
            String nodePath = KeyPath.index(path, i);
            Matcher matcher = SERVER.matcher(nodes.get(i).trim());
            if (!matcher.matches() || !isPort(Integer.parseInt(matcher.group(1)))) {
                problems.add(nodePath, problems.show(nodePath, nodes.get(i)) + " is not host:port", example);
            }
        }
    }

    /**
     * A key template: literal text around {@code {database}}, {@code {schema}}, {@code {table}} and exactly one
     * {@code {key}}, which must follow literal text (so that one table's keys cannot run into another table's) and
     * be followed only by literal text (so that a table's keys share a prefix and a suffix, which truncates scan
     * for). Braces are placeholder syntax only: Sluice's keys never hold a Redis Cluster hash tag of their own.
     */
    private void validateRedisKey(String path, String template) {
        boolean fromEnvironment = problems.substitution(path).isPresent();
        String shown = problems.show(path, template);
        int keyPlaceholders = 0;
        boolean previousWasPlaceholder = false;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '}') {
                problems.add(path, "'}' without '{' in " + shown, "braces only mark placeholders such as {table}");
                return;
            }
            if (c != '{') {
                previousWasPlaceholder = false;
                continue;
            }
            int close = template.indexOf('}', i);
            if (close < 0) {
                problems.add(path, "'{' is not closed by '}' in " + shown);
                return;
            }
            String name = template.substring(i + 1, close);
            if (!REDIS_KEY_PLACEHOLDERS.contains(name)) {
                problems.add(path, "unknown placeholder " + (fromEnvironment ? "in " + shown : "{" + name + "}"),
                        fromEnvironment ? supportedRedisKeyPlaceholders() : redisKeyPlaceholderHint(name));
                return;
            }
            if (name.equals("key")) {
                keyPlaceholders++;
                if (previousWasPlaceholder || i == 0) {
                    problems.add(path, "{key} must follow literal text in " + shown,
                            "separate it from what comes before, e.g. {table}:{key}");
                    return;
                }
            } else if (keyPlaceholders > 0) {
                problems.add(path, "only literal text may follow {key} in " + shown,
                        "put {" + name + "} before {key}, e.g. {schema}.{table}:{key}");
                return;
            }
            previousWasPlaceholder = true;
            i = close;
        }
        if (keyPlaceholders != 1) {
            problems.add(path, shown + (keyPlaceholders == 0 ? " has no {key}" : " has {key} more than once"),
                    "each row needs its own key, e.g. {table}:{key}");
        }
    }

    private static String redisKeyPlaceholderHint(String name) {
        return Suggestions.closest(name, REDIS_KEY_PLACEHOLDERS)
                .map(match -> "did you mean {" + match + "}?")
                .orElse(supportedRedisKeyPlaceholders());
    }

    private static String supportedRedisKeyPlaceholders() {
        return "supported placeholders: {database}, {schema}, {table}, {key}";
    }

    /** Redis expires keys in whole milliseconds. */
    private void requireMilliseconds(String path, Duration duration) {
        if (duration != null && duration.toMillis() < 1) {
            problems.add(path, "must be at least 1ms");
        }
    }

    private void requirePositive(String path, Duration duration) {
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            problems.add(path, "must be longer than zero");
        }
    }

    private static String placeholderHint(String name) {
        return Suggestions.closest(name, TOPIC_PLACEHOLDERS)
                .map(match -> "did you mean {" + match + "}?")
                .orElse(supportedPlaceholders());
    }

    private static String supportedPlaceholders() {
        return "supported placeholders: {database}, {schema}, {table}";
    }

    private void validateOffsets(String path, OffsetStoreConfig offsets) {
        if (offsets == null) {
            problems.missing(path);
        } else if (offsets instanceof FileOffsetStoreConfig file) {
            String filePath = KeyPath.key(path, file.kind());
            if (file.path() == null || file.path().toString().isBlank()) {
                problems.add(filePath, "must name a file");
            } else {
                // Two spellings of one file (./data/x and data/x) would still have two pipelines overwrite it.
                String sameFile = file.path().toAbsolutePath().normalize().toString();
                requireUnique(filePath, sameFile, localFiles, "offsets file " + problems.show(filePath,
                        file.path().toString()), "each pipeline needs its own offsets file");
            }
        } else if (offsets instanceof JdbcOffsetStoreConfig jdbc) {
            validateJdbcOffsets(KeyPath.key(path, jdbc.kind()), jdbc);
        } else if (offsets instanceof KafkaOffsetStoreConfig kafka) {
            String kafkaPath = KeyPath.key(path, kafka.kind());
            validateBootstrapServers(KeyPath.key(kafkaPath, "bootstrap-servers"), kafka.bootstrapServers());
            String topicPath = KeyPath.key(kafkaPath, "topic");
            if (requireText(topicPath, kafka.topic()) && !kafka.topic().chars()
                    .allMatch(c -> TOPIC_CHARACTER.matcher(Character.toString(c)).matches())) {
                problems.add(topicPath, problems.show(topicPath, kafka.topic()) + " is not a valid Kafka topic name",
                        "use letters, digits, '.', '_' and '-'");
            }
            if (kafka.replicationFactor() != null && kafka.replicationFactor() < 1) {
                problems.add(KeyPath.key(kafkaPath, "replication-factor"), "must be at least 1");
            }
        }
    }

    private void validateDeadLetter(String path, DeadLetterConfig deadLetter, String pipeline) {
        String kindPath = KeyPath.key(path, deadLetter.kind());
        // An invalid pipeline name is reported on its own; the names below are then checked with a stand-in.
        String name = pipeline != null && PIPELINE_NAME.matcher(pipeline).matches() ? pipeline : "p";
        if (deadLetter instanceof FileDeadLetterConfig file) {
            String filePath = KeyPath.key(kindPath, "path");
            if (file.path() == null) {
                problems.missing(filePath);
            } else if (file.path().toString().isBlank()) {
                problems.add(filePath, "must name a file");
            } else if (requireOnlyPipelinePlaceholder(filePath, file.path().toString())) {
                String sameFile = file.pathFor(name).toAbsolutePath().normalize().toString();
                requireUnique(filePath, sameFile, localFiles, "dead-letter file " + problems.show(filePath,
                        file.pathFor(name).toString()), "each pipeline needs a dead-letter file of its own, apart from"
                        + " its offsets: e.g. ./data/{pipeline}.dead-letters.jsonl");
            }
        } else if (deadLetter instanceof KafkaDeadLetterConfig kafka) {
            validateBootstrapServers(KeyPath.key(kindPath, "bootstrap-servers"), kafka.bootstrapServers());
            String topicPath = KeyPath.key(kindPath, "topic");
            if (requireText(topicPath, kafka.topic()) && requireOnlyPipelinePlaceholder(topicPath, kafka.topic())
                    && !kafka.topicFor(name).chars()
                            .allMatch(c -> TOPIC_CHARACTER.matcher(Character.toString(c)).matches())) {
                problems.add(topicPath, problems.show(topicPath, kafka.topic()) + " is not a valid Kafka topic name",
                        "use letters, digits, '.', '_', '-' and {pipeline}");
            }
        }
    }

    /** A name in which braces only ever mark {@code {pipeline}}. */
    private boolean requireOnlyPipelinePlaceholder(String path, String template) {
        String rest = template.replace(DeadLetterConfig.PIPELINE_PLACEHOLDER, "");
        if (rest.indexOf('{') < 0 && rest.indexOf('}') < 0) {
            return true;
        }
        Matcher placeholder = PLACEHOLDER.matcher(rest);
        String shown = problems.substitution(path).isPresent() ? "in " + problems.show(path, template)
                : placeholder.find() ? "{" + placeholder.group(1) + "}" : "brace in " + problems.show(path, template);
        problems.add(path, "unknown placeholder " + shown, "the only placeholder here is {pipeline}");
        return false;
    }

    private void validateJdbcOffsets(String path, JdbcOffsetStoreConfig jdbc) {
        String urlPath = KeyPath.key(path, "url");
        if (jdbc.url() != null && requireText(urlPath, jdbc.url()) && !jdbc.url().startsWith("jdbc:postgresql:")) {
            problems.add(urlPath, problems.show(urlPath, jdbc.url()) + " is not a PostgreSQL JDBC URL",
                    "e.g. jdbc:postgresql://offsets-db:5432/sluice, or leave url out to use the source database");
        }
        if (jdbc.url() == null && (jdbc.user() != null || jdbc.password() != null)) {
            problems.add(KeyPath.key(path, jdbc.user() != null ? "user" : "password"),
                    "is only used with url; without url the source's user and password are used");
        }
        String schemaPath = KeyPath.key(path, "schema");
        if (requireText(schemaPath, jdbc.schema())) {
            requireIdentifier(schemaPath, jdbc.schema(), "schema");
        }
        String tablePath = KeyPath.key(path, "table");
        if (requireText(tablePath, jdbc.table())) {
            requireIdentifier(tablePath, jdbc.table(), "table");
        }
    }

    /** For a list that came out empty: either the key is missing, or it was written with no items. */
    private void requireNonEmpty(String path, String message, String hint) {
        if (problems.hasKey(path)) {
            problems.add(path, message, hint);
        } else {
            problems.missing(path);
        }
    }

    private boolean requireText(String path, String value) {
        if (value == null) {
            problems.missing(path);
            return false;
        }
        if (value.isBlank()) {
            problems.add(path, "must not be blank");
            return false;
        }
        return true;
    }

    private boolean requireIdentifier(String path, String value, String what) {
        if (value.length() > PG_IDENTIFIER_MAX_LENGTH) {
            problems.add(path, what + " name " + problems.show(path, value) + " is longer than "
                    + PG_IDENTIFIER_MAX_LENGTH + " characters");
            return false;
        }
        if (!PG_IDENTIFIER.matcher(value).matches()) {
            problems.add(path, problems.show(path, value) + " is not a valid " + what + " name",
                    "use lowercase letters, digits and '_', starting with a letter or '_'");
            return false;
        }
        return true;
    }

    private void requirePort(String path, int port) {
        if (!isPort(port)) {
            problems.add(path, "expected a port number between 1 and 65535, got "
                    + problems.show(path, String.valueOf(port)));
        }
    }

    private static boolean isPort(int port) {
        return port >= 1 && port <= 65535;
    }

    /**
     * @param value   what must be unique across pipelines
     * @param subject how the message names it, e.g. {@code replication slot "orders"}
     */
    private void requireUnique(String path, String value, Map<String, String> firstUses, String subject,
            String hint) {
        String firstUse = firstUses.putIfAbsent(value, path);
        if (firstUse != null) {
            problems.add(path, subject + " is already used at line " + problems.lineOf(firstUse), hint);
        }
    }
}
