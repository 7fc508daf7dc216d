package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.source.PostgresSourceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigSchemaTest {

    private static final JsonNode DEFS = new ConfigSchema(ConfigModel.load()).document().path("$defs");

    @Test
    void checkedInSchemaIsTheGeneratedOne() throws IOException {
        GeneratedFile.check(ConfigSchema.SOURCE_FILE, ConfigSchema.generate());
    }

    @Test
    void theJarShipsTheSchema() throws IOException {
        try (var in = ConfigSchema.class.getResourceAsStream(ConfigSchema.RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(SchemaCheck.tree(new String(in.readAllBytes())).path("$defs").has("PipelineConfig")).isTrue();
        }
    }

    /** Each edit of the real descriptions file, and what the generator must then say. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a key without a description   | '    host:\n      description: Server host name.\n' | '    hots:\n      description: Server host name.\n' | PostgresSourceConfig.keys.host: no entry
            a description of no key       | '    host:\n      description: Server host name.\n' | '    hots:\n      description: Server host name.\n' | PostgresSourceConfig.keys.hots: the type has no such key
            a default the record applies  | '    port:\n      description: Server port.\n' | '    port:\n      description: Server port.\n      default: 5432\n' | PostgresSourceConfig.keys.port: "default" is read from the record's constructor
            a misspelt field              | '      required: true\n      example: db.internal\n' | '      requried: true\n      example: db.internal\n' | PostgresSourceConfig.keys.host.requried: unknown field
            a type no file uses           | 'DefaultsConfig.File:\n' | 'NoSuchConfig:\n  description: x\nDefaultsConfig.File:\n' | NoSuchConfig: no config type of that name
            an enum value without meaning | '    never: Never snapshot; stream from the slot''s position.\n' | '' | SnapshotMode.values.never: no description of this value
            a rule naming no key          | '      requires: [password]\n' | '      requires: [passwort]\n' | ElasticsearchSinkConfig.Auth.keys.username.requires: the type has no key passwort
            bounds on text                | '    host:\n      description: Server host name.\n' | '    host:\n      description: Server host name.\n      minimum: 1\n' | PostgresSourceConfig.keys.host: minimum and maximum apply only to whole numbers
            """)
    void theGeneratorRefusesDescriptionsThatDoNotMatchTheRecords(String edit, String fragment, String replacement,
            String problem) throws IOException {
        String original;
        try (var in = ConfigModel.class.getResourceAsStream(ConfigModel.DESCRIPTIONS)) {
            original = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String from = unescape(fragment);
        assertThat(original).as("the descriptions file holds the fragment to edit").contains(from);
        Descriptions edited = Descriptions.parse(original.replaceFirst(Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(unescape(replacement))), "edited descriptions");

        assertThatThrownBy(() -> ConfigModel.build(edited)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(problem);
    }

    private static String unescape(String text) {
        return text.replace("\\n", "\n");
    }

    @Test
    void defaultsAreTheOnesTheRecordsApply() {
        JsonNode postgres = DEFS.path("PostgresSourceConfig").path("properties");
        assertThat(postgres.path("port").path("default").asInt()).isEqualTo(PostgresSourceConfig.DEFAULT_PORT);
        assertThat(postgres.path("connect-timeout").path("default").asText()).isEqualTo("10s");
        assertThat(postgres.path("wal-lag-warning").path("default").asText()).isEqualTo("1GB");
        assertThat(postgres.path("snapshot").path("default").asText()).isEqualTo("initial");
        assertThat(postgres.path("host").has("default")).as("a required key has no default").isFalse();
        assertThat(Durations.parse(DEFS.path("RedisSinkConfig").path("properties").path("delete-marker-ttl")
                .path("default").asText())).isEqualTo(RedisSinkConfig.DEFAULT_DELETE_MARKER_TTL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "500ms", "10s", "2m", "1h", "24h", "1d", "PT1M30S", "PT0.5S", "PT-1S"})
    void aDurationFormatsToTextThatParsesBackToIt(String text) {
        Duration duration = Durations.parse(text);

        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    /** The schema's duration pattern against the parser: they agree, except where the pattern is knowingly looser. */
    @Test
    void theDurationPatternAcceptsWhatTheParserAccepts() {
        List<String> samples = List.of("500ms", "10s", "2m", "1h", "1d", "0s", "PT10S", "pt10s", "P1D", "P1DT2H",
                "PT1M30S", "-PT1S", "PT-1S", "+PT1S", "PT1.5S", "PT0,5S", "PT1H2M3.123456789S", "PT1.1234567890S",
                "10", "10 s", " 10s", "10S", "1w", "s", "", "1.5s", "-1s", "abc", "P1W", "PT1D", "10sec");
        Map<String, String> looser = Map.of("P", "no amount", "PT", "no amount", "P1DT", "T without an amount",
                "99999999999999999999s", "out of range");
        Pattern pattern = Pattern.compile(Durations.SCHEMA_PATTERN);
        for (String sample : samples) {
            assertThat(pattern.matcher(sample).find()).as("pattern on \"%s\"", sample)
                    .isEqualTo(Durations.parse(sample) != null);
        }
        looser.forEach((sample, why) -> {
            assertThat(Durations.parse(sample)).as(sample).isNull();
            assertThat(pattern.matcher(sample).find()).as("pattern on \"%s\" (%s)", sample, why).isTrue();
        });
    }

    @Test
    void theSizePatternAcceptsWhatTheParserAccepts() {
        List<String> samples = List.of("512MB", "1gb", " 1 GB ", "0", "1048576", "64KB", "1TB", "10b", "1PB",
                "1.5GB", "MB", "1KiB", "", "-1MB", "1 M", "1G");
        Pattern pattern = Pattern.compile(ByteSize.SCHEMA_PATTERN);
        for (String sample : samples) {
            assertThat(pattern.matcher(sample).find()).as("pattern on \"%s\"", sample)
                    .isEqualTo(ByteSize.parse(sample) != null);
        }
    }

    @Test
    void theExampleFileIsValid() throws ConfigException {
        new ConfigLoader(ExampleConfig.ENV::get).load(ExampleConfig.YAML, ExampleConfig.FILE);

        assertThat(SchemaCheck.problems(ExampleConfig.YAML)).isEmpty();
    }

    @Test
    void referencesMayStandForNumbersBooleansEnumsAndDurations() throws ConfigException {
        String yaml = ExampleConfig.with(ExampleConfig.with("port: 5432", "port: ${PG_PORT}"), "snapshot: initial",
                "snapshot: ${SNAPSHOT}\n        connect-timeout: ${TIMEOUT}\n        wal-lag-warning: ${WAL_LAG}");
        Map<String, String> env = Map.of("PG_PASSWORD", "x", "PG_PORT", "5433", "SNAPSHOT", "never", "TIMEOUT",
                "5s", "WAL_LAG", "2GB");
        new ConfigLoader(env::get).load(yaml, ExampleConfig.FILE);

        assertThat(SchemaCheck.problems(yaml)).isEmpty();
    }

    /** Each broken file: the schema rejects it at the given place, and so does the loader. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key                   | 'host: localhost'                           | 'hots: localhost'                 | /pipelines/0/source/postgres
            enum value                    | 'snapshot: initial'                         | 'snapshot: sometimes'             | /pipelines/0/source/postgres/snapshot
            port out of range             | 'port: 5432'                                | 'port: 70000'                     | /pipelines/0/source/postgres/port
            port as a word                | 'port: 5432'                                | 'port: five'                      | /pipelines/0/source/postgres/port
            list written as text          | 'tables: [public.orders, public.customers]' | 'tables: public.orders'           | /pipelines/0/source/postgres/tables
            duration without unit         | 'snapshot: initial'                         | 'connect-timeout: 10'             | /pipelines/0/source/postgres/connect-timeout
            missing required key          | '        host: localhost\n'                 | ''                                | /pipelines/0/source/postgres
            unknown sink kind             | '- kafka:'                                  | '- kafak:'                        | /pipelines/0/sinks/0
            unknown offsets store         | 'file: ./data/orders.offsets'               | 'disk: ./data/orders.offsets'     | /pipelines/0/offsets
            a mapping for the file store  | 'file: ./data/orders.offsets'               | 'file: [./data/orders.offsets]'   | /pipelines/0/offsets
            """)
    void brokenFilesAreRejectedByTheSchemaAndTheLoader(String name, String fragment, String replacement,
            String location) {
        String yaml = ExampleConfig.with(unescape(fragment), unescape(replacement));

        assertThat(SchemaCheck.problems(yaml)).as("schema").isNotEmpty()
                .anySatisfy(problem -> assertThat(problem).startsWith(location));
        assertThatThrownBy(() -> new ConfigLoader(ExampleConfig.ENV::get).load(yaml, ExampleConfig.FILE))
                .as("loader").isInstanceOf(ConfigException.class);
    }

    @Test
    void aPipelineMayLeaveToTheDefaultsBlockWhatItRequires() throws ConfigException {
        String yaml = """
                defaults:
                  source:
                    postgres: {host: db, database: shop, user: sluice}
                  sinks:
                    kafka: {bootstrap-servers: kafka:9092}
                  offsets:
                    jdbc: {}
                pipelines:
                  - name: orders
                    source:
                      postgres: {slot: orders, publication: orders, tables: [public.orders]}
                    sinks:
                      - kafka:
                """;
        new ConfigLoader(name -> null).load(yaml, "pipelines.yaml");

        assertThat(SchemaCheck.problems(yaml)).isEmpty();
        assertThat(SchemaCheck.problems(yaml.substring(yaml.indexOf("pipelines:")))).as("without the defaults")
                .anySatisfy(problem -> assertThat(problem).contains("host"))
                .anySatisfy(problem -> assertThat(problem).contains("offsets"))
                .anySatisfy(problem -> assertThat(problem).startsWith("/pipelines/0/sinks/0/kafka"));
    }
}
