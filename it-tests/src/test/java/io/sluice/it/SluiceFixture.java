package io.sluice.it;

import io.sluice.app.SinkFactory;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.Pipeline;
import io.sluice.engine.RetryPolicy;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * One test's slice of the shared servers: its own database, slot, publication, topic prefix and offsets file, so
 * tests never see each other's data. Pipelines with more sinks than Kafka add the sinks of an
 * {@link ElasticsearchFixture#sharing} or {@link RedisFixture#sharing} fixture to {@link #yaml}.
 */
public final class SluiceFixture {
    /**
     * The admin endpoint of every configuration the tests write: on a free port, so that test processes running
     * at the same time never compete for the default port (a process that cannot listen exits with code 3).
     */
    public static final String ADMIN_ON_ANY_PORT = "admin: {port: 0}";

    public final LocalPostgres postgres;
    public final LocalKafka kafka;
    public final String name;
    public final Path workDir;
    public final Path offsets;

    public SluiceFixture(LocalPostgres postgres, LocalKafka kafka, String name, Path workDir) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.name = name;
        this.workDir = workDir;
        this.offsets = workDir.resolve(name + ".offsets");
        postgres.createDatabase(name);
    }

    public String topicPrefix() {
        return "it." + name + ".";
    }

    /** The topic Sluice writes a table's changes to, e.g. {@code it.<name>.public.orders}. */
    public String topic(String schemaAndTable) {
        return topicPrefix() + schemaAndTable;
    }

    public void sql(String... statements) {
        postgres.execute(name, statements);
    }

    /** The first column of the first row {@code query} returns on the test's database, as text. */
    String sqlValue(String query) {
        try (Connection connection = postgres.connect(name); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new AssertionError("failed on " + name + ": " + query, e);
        }
    }

    /** The pipeline's YAML with its offsets in the fixture's file, loaded through Sluice's own config loader. */
    PipelineConfig config(String tables, String extraSource) throws ConfigException {
        return config(tables, extraSource, "file: " + offsets);
    }

    /** The pipeline's YAML with the given {@code offsets:} entry (e.g. {@code jdbc: {}}). */
    PipelineConfig config(String tables, String extraSource, String offsetsYaml) throws ConfigException {
        return load(yaml(tables, extraSource, kafkaSinkYaml(), offsetsYaml));
    }

    /** The pipeline's YAML with its offsets in the fixture's file, e.g. to write to a file for the command line. */
    String yaml(String tables, String extraSource) {
        return yaml(tables, extraSource, kafkaSinkYaml(), "file: " + offsets);
    }

    /**
     * The YAML of this fixture's pipeline, with the admin endpoint on {@linkplain #ADMIN_ON_ANY_PORT any free port}.
     *
     * @param extraSource further keys of {@code source.postgres}, e.g. {@code snapshot: never}
     * @param sinks       the items of {@code sinks:}, e.g. {@link #kafkaSinkYaml()}, one per line group
     * @param offsets     what goes under {@code offsets:}, e.g. {@code file: PATH} or {@code jdbc: {}}
     */
    public String yaml(String tables, String extraSource, String sinks, String offsets) {
        return """
                %s
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
                %s
                """.formatted(ADMIN_ON_ANY_PORT, name, postgres.port(), name, LocalPostgres.SUPERUSER, slot(),
                name + "_pub", tables, extraSource.indent(8).stripTrailing(), sinks.indent(6).stripTrailing(),
                offsets.indent(6).stripTrailing());
    }

    /** The pipeline's replication slot. */
    public String slot() {
        return name + "_slot";
    }

    /** This fixture's Kafka sink as an item of {@code sinks:}. */
    public String kafkaSinkYaml() {
        return """
                - kafka:
                    bootstrap-servers: %s
                    topic: "%s{schema}.{table}"
                """.formatted(kafka.bootstrapServers(), topicPrefix());
    }

    /** Loads YAML made by {@link #yaml} through Sluice's own config loader; returns its one pipeline. */
    public PipelineConfig load(String yaml) throws ConfigException {
        return new ConfigLoader(variable -> null).load(yaml, name + ".yaml").pipelines().get(0);
    }

    Pipeline start(PipelineConfig config) throws Exception {
        Pipeline pipeline = new Pipeline(config, SinkFactory.create(config), RetryPolicy.DEFAULT, new Random());
        pipeline.start();
        return pipeline;
    }

    KafkaEvents events() {
        return new KafkaEvents(kafka.bootstrapServers(), topicPrefix());
    }
}
