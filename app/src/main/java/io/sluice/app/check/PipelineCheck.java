package io.sluice.app.check;

import io.sluice.app.SinkFactory;
import io.sluice.config.PipelineConfig;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.transform.Routes;
import io.sluice.config.transform.TableNames;
import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.RoutedTable;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.check.TableShape;
import io.sluice.engine.debezium.PostgresSourceCheck;
import io.sluice.engine.transform.Transforms;
import io.sluice.offsets.file.FileOffsetStoreCheck;
import io.sluice.offsets.jdbc.JdbcOffsetStoreCheck;
import io.sluice.offsets.kafka.KafkaOffsetStoreCheck;
import io.sluice.sink.elasticsearch.ElasticsearchSinkCheck;
import io.sluice.sink.kafka.KafkaSinkCheck;
import io.sluice.sink.redis.RedisSinkCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every server of one pipeline, checked read-only: the source first, since the sinks' per-table checks need the
 * captured tables and their columns, then every sink and the offset store at the same time. Each sink gets the
 * tables it receives (its {@code tables}, empty meaning all), shaped by the pipeline's transforms and routed with
 * the templates the transforms set for them.
 */
public final class PipelineCheck {
    private final PipelineConfig pipeline;
    private final ExecutorService executor;

    /** @param executor runs the checks of the sinks and the offset store concurrently */
    public PipelineCheck(PipelineConfig pipeline, ExecutorService executor) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** The findings of every server, grouped by server: the source's, then each sink's, then the offset store's. */
    public List<Finding> run() throws InterruptedException {
        PostgresSourceConfig source = pipeline.source().postgres();
        PostgresSourceCheck sourceCheck = new PostgresSourceCheck(pipeline.name(), source, pipeline.offsets());
        List<Finding> findings = new ArrayList<>(sourceCheck.run());
        Optional<List<TableShape>> tables = sourceCheck.capturedTables().map(this::transformed);

        List<ServerCheck> checks = new ArrayList<>();
        List<String> sinkNames = SinkFactory.names(pipeline);
        for (int i = 0; i < sinkNames.size(); i++) {
            checks.add(sinkCheck(sinkNames.get(i), pipeline.sinks().get(i), tables));
        }
        ServerCheck offsets = offsetsCheck(pipeline.offsets(), source);
        boolean offsetsNeedSource = pipeline.offsets() instanceof JdbcOffsetStoreConfig jdbc
                && jdbc.inSourceDatabase();
        if (offsetsNeedSource && !sourceCheck.connected()) {
            Findings skipped = new Findings(pipeline.name(), offsets.subject());
            skipped.skip("not checked: the offsets live in the source database, which could not be reached");
            checks.add(new Done(offsets.subject(), skipped.list()));
        } else {
            checks.add(offsets);
        }

        List<Future<List<Finding>>> running = new ArrayList<>();
        for (ServerCheck check : checks) {
            running.add(executor.submit(check::run));
        }
        for (int i = 0; i < running.size(); i++) {
            try {
                findings.addAll(running.get(i).get());
            } catch (ExecutionException e) {
                // A bug in a check must not hide the other servers' findings; it is reported like a finding.
                Findings failed = new Findings(pipeline.name(), checks.get(i).subject());
                failed.error("the check itself failed: " + e.getCause(), null);
                findings.addAll(failed.list());
            }
        }
        return findings;
    }

    private List<TableShape> transformed(List<TableShape> tables) {
        Transforms transforms = Transforms.of(pipeline.name(), pipeline.transforms());
        return tables.stream()
                .map(t -> new TableShape(t.table(), transforms.shape(t.table().qualifiedName(), t.columns())))
                .toList();
    }

    private ServerCheck sinkCheck(String name, SinkConfig config, Optional<List<TableShape>> tables) {
        // SinkConfig is sealed; when Sluice moves to Java 21 this becomes an exhaustive pattern switch.
        if (config instanceof KafkaSinkConfig kafka) {
            return new KafkaSinkCheck(pipeline.name(), name, kafka,
                    routed(tables, config, TransformConfig::topic, kafka.topic()));
        }
        if (config instanceof ElasticsearchSinkConfig elasticsearch) {
            return new ElasticsearchSinkCheck(pipeline.name(), name, elasticsearch,
                    routed(tables, config, TransformConfig::index, elasticsearch.index()));
        }
        if (config instanceof RedisSinkConfig redis) {
            return new RedisSinkCheck(pipeline.name(), name, redis,
                    routed(tables, config, TransformConfig::key, redis.key()));
        }
        throw new IllegalArgumentException("no check for sink " + config.kind());
    }

    /** The tables a sink receives, each with the template it is routed with; empty when the tables are unknown. */
    private Optional<List<RoutedTable>> routed(Optional<List<TableShape>> tables, SinkConfig sink,
            Function<TransformConfig, String> template, String sinkTemplate) {
        Routes routes = Routes.of(pipeline.transforms(), template);
        Predicate<String> selected = sink.tables().isEmpty() ? name -> true : TableNames.anyMatcher(sink.tables());
        return tables.map(all -> all.stream()
                .filter(t -> selected.test(t.table().qualifiedName()))
                .map(t -> new RoutedTable(t, routes.templateFor(t.table().schema(), t.table().table(), sinkTemplate)))
                .toList());
    }

    private ServerCheck offsetsCheck(OffsetStoreConfig offsets, PostgresSourceConfig source) {
        if (offsets instanceof FileOffsetStoreConfig file) {
            return new FileOffsetStoreCheck(pipeline.name(), file);
        }
        if (offsets instanceof JdbcOffsetStoreConfig jdbc) {
            return new JdbcOffsetStoreCheck(pipeline.name(), jdbc, source);
        }
        if (offsets instanceof KafkaOffsetStoreConfig kafka) {
            return new KafkaOffsetStoreCheck(pipeline.name(), kafka, source);
        }
        throw new IllegalArgumentException("no check for offset store " + offsets.kind());
    }

    /** A check whose findings are already known. */
    private record Done(String subject, List<Finding> findings) implements ServerCheck {
        @Override
        public List<Finding> run() {
            return findings;
        }
    }
}
