package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.sluice.app.SinkFactory;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.Pipeline;
import io.sluice.engine.RetryPolicy;
import io.sluice.engine.SinkBinding;
import io.sluice.it.support.ElasticsearchHttp;
import io.sluice.it.support.ElasticsearchHttp.Document;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalPostgres;
import io.sluice.sink.elasticsearch.ElasticsearchSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * One test's slice of the shared PostgreSQL and Elasticsearch: its own database, slot, publication, index names and
 * offsets file, and a pipeline writing to Elasticsearch alone (or, made by {@link #sharing}, the Elasticsearch sink of
 * a pipeline with several sinks).
 */
public final class ElasticsearchFixture {
    /** Quick retries: a test that stops Elasticsearch should not wait out the production backoff of up to 30 s. */
    static final RetryPolicy FAST_RETRIES = new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(2), 2.0);
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    final LocalPostgres postgres;
    final LocalElasticsearch elasticsearch;
    public final ElasticsearchHttp http;
    final String name;
    final Path offsets;
    private ElasticsearchSink sink;

    ElasticsearchFixture(LocalPostgres postgres, LocalElasticsearch elasticsearch, String name, Path workDir) {
        this(postgres, elasticsearch, name, workDir, true);
    }

    private ElasticsearchFixture(LocalPostgres postgres, LocalElasticsearch elasticsearch, String name, Path workDir,
            boolean newDatabase) {
        this.postgres = postgres;
        this.elasticsearch = elasticsearch;
        this.http = new ElasticsearchHttp(elasticsearch.url());
        this.name = name;
        this.offsets = workDir.resolve(name + ".offsets");
        if (newDatabase) {
            postgres.createDatabase(name);
        }
    }

    /** The Elasticsearch side of {@code base}'s pipeline: same database and name, {@link #sinkYaml} for its YAML. */
    public static ElasticsearchFixture sharing(SluiceFixture base, LocalElasticsearch elasticsearch) {
        return new ElasticsearchFixture(base.postgres, elasticsearch, base.name, base.workDir, false);
    }

    /** The index of a table of this test, e.g. {@code toast_docs}. */
    public String index(String table) {
        return name + "_" + table;
    }

    void sql(String... statements) {
        postgres.execute(name, statements);
    }

    /** The pipeline's YAML, loaded through Sluice's own config loader. */
    PipelineConfig config(String tables, String extraSource, String extraSink) throws ConfigException {
        return config(tables, name + "_slot", extraSource, extraSink);
    }

    PipelineConfig config(String tables, String slot, String extraSource, String extraSink) throws ConfigException {
        String yaml = """
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: %s
                        user: %s
                        password: unused
                        slot: %s
                        publication: %s
                        tables: [%s]
                %s
                    sinks:
                %s
                    offsets:
                      file: %s
                """.formatted(name, postgres.port(), name, LocalPostgres.SUPERUSER, slot, name + "_pub", tables,
                extraSource.indent(8).stripTrailing(), sinkYaml(extraSink).indent(6).stripTrailing(), offsets);
        return new ConfigLoader(variable -> null).load(yaml, name + ".yaml").pipelines().get(0);
    }

    /** This fixture's Elasticsearch sink as an item of {@code sinks:}, with further keys {@code extraSink}. */
    public String sinkYaml(String extraSink) {
        return """
                - elasticsearch:
                    urls: [%s]
                    index: "%s_{table}"
                    settings: {index: {number_of_replicas: 0, max_result_window: 50000}}
                    request-timeout: 10s
                    connect-timeout: 2s
                %s
                """.formatted(elasticsearch.url(), name, extraSink.indent(4).stripTrailing());
    }

    /** Starts the pipeline; its Elasticsearch sink is then {@link #sink()}. */
    Pipeline start(PipelineConfig config) throws Exception {
        List<SinkBinding> sinks = SinkFactory.create(config);
        sink = (ElasticsearchSink) sinks.get(0).sink();
        Pipeline pipeline = new Pipeline(config, sinks, FAST_RETRIES, new Random());
        pipeline.start();
        return pipeline;
    }

    /** The sink of the pipeline started last. */
    ElasticsearchSink sink() {
        return sink;
    }

    /** Waits until the index's documents pass the check; returns them. */
    Map<String, Document> awaitDocuments(String table, Predicate<Map<String, Document>> check, Duration timeout,
            String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Map<String, Document> documents = http.documents(index(table));
            if (check.test(documents)) {
                return documents;
            }
            assertThat(Instant.now()).as("waiting for %s in index %s; it holds %d documents", what, index(table),
                    documents.size()).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    /**
     * Each row of the table as the document Sluice should hold for it, by document id: {@code idSql} and
     * {@code documentSql} are SQL expressions over the table's columns giving the id and a {@code jsonb} object
     * in Sluice's value forms (e.g. numerics as text).
     */
    public Map<String, Map<String, Object>> expectedDocuments(String table, String idSql, String documentSql)
            throws SQLException {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        try (Connection c = postgres.connect(name); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + idSql + ", (" + documentSql + ")::text FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getString(1), parse(rs.getString(2)));
            }
        }
        return rows;
    }

    /** Every document of the table's index equals its row, and there is no other document. */
    void assertIndexEqualsTable(String table, String idSql, String documentSql) throws SQLException {
        Map<String, Map<String, Object>> expected = expectedDocuments(table, idSql, documentSql);
        Map<String, Map<String, Object>> actual = new LinkedHashMap<>();
        http.documents(index(table)).forEach((id, document) -> actual.put(id, document.source()));
        assertThat(actual).as("documents of index %s against the rows of %s", index(table), table)
                .isEqualTo(expected);
    }

    private static Map<String, Object> parse(String json) {
        try {
            return ElasticsearchHttp.JSON.readValue(json, OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
