package io.sluice.engine.debezium;

import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.source.HeartbeatConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.transform.TableNames;
import io.sluice.engine.offset.PipelineId;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Builds the one {@link Properties} object handed to Debezium; nothing else in Sluice speaks Debezium keys. */
final class DebeziumProperties {

    /**
     * What Debezium writes where a row's unchanged TOAST value was not sent. Unlikely to be real data; the normalizer
     * removes every column holding it, so it never reaches a sink.
     */
    static final String TOAST_PLACEHOLDER = "__sluice_unchanged_toast_value__";

    static final Duration OFFSET_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /**
     * Rows read per incremental snapshot chunk. The rows of a chunk are held in memory (by Debezium) between its
     * watermarks, and reach the sinks in one go when the close watermark arrives.
     */
    static final int INCREMENTAL_SNAPSHOT_CHUNK_SIZE = 1024;

    /**
     * Memory between the WAL and the sinks is bounded by Debezium's queue and the batch being delivered. The queue
     * holds at most {@link #MAX_QUEUE_SIZE} records and at most {@link #MAX_QUEUE_BYTES} bytes (Debezium's estimate of
     * the records' size), whichever is reached first, so a table of large rows cannot fill the heap with a full queue
     * of them. At most {@link #MAX_BATCH_SIZE} records leave the queue at once, for the dispatcher, which returns only
     * when every sink acknowledged them: while a sink is down the queue fills, Debezium stops reading the replication
     * stream and PostgreSQL keeps the WAL (docs/running.md, Memory). A batch comes out of the queue, so it too is at
     * most {@link #MAX_QUEUE_BYTES}; it is in memory several times while it is delivered (Debezium's record, Sluice's
     * event, each sink's request), which is why the byte bound is small.
     */
    static final int MAX_BATCH_SIZE = 2048;
    static final int MAX_QUEUE_SIZE = 8192;
    static final long MAX_QUEUE_BYTES = 8L * 1024 * 1024;

    private DebeziumProperties() {
    }

    /** The engine's name, also the first element of every stored offset key. */
    static String engineName(PipelineId pipeline) {
        return "sluice-" + pipeline.name();
    }

    /** Debezium's topic prefix; Sluice only uses it to recognize transaction markers and signal rows. */
    static String topicPrefix(PipelineId pipeline) {
        return pipeline.name();
    }

    /** The topic Debezium gives the change records of a table ({@code schema.table}). */
    static String tableTopic(PipelineId pipeline, String table) {
        return topicPrefix(pipeline) + "." + table;
    }

    /** @param tables the captured tables, resolved from the source's names and patterns ({@link CapturedTables}) */
    static Properties build(PipelineId pipeline, PostgresSourceConfig source, List<String> tables,
            OffsetStoreConfig offsets) {
        Properties p = new Properties();
        p.setProperty("name", engineName(pipeline));
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", topicPrefix(pipeline));

        p.setProperty("offset.storage", OffsetBackingStoreAdapter.class.getName());
        OffsetStoreSettings.write(pipeline, offsets, source, p);
        // Everything since the last flush is replayed after a crash, so flush often.
        p.setProperty("offset.flush.interval.ms", Long.toString(OFFSET_FLUSH_INTERVAL.toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");

        p.setProperty("database.hostname", source.host());
        p.setProperty("database.port", Integer.toString(source.port()));
        p.setProperty("database.dbname", source.database());
        p.setProperty("database.user", source.user());
        p.setProperty("database.password", source.password() == null ? "" : source.password().reveal());
        p.setProperty("database.connectTimeout", Long.toString(source.connectTimeout().toSeconds()));
        p.setProperty("database.sslmode", source.tls().mode().yamlName());
        if (source.tls().rootCert() != null) {
            p.setProperty("database.sslrootcert", source.tls().rootCert().toAbsolutePath().toString());
        }

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", source.slot());
        p.setProperty("publication.name", source.publication());
        p.setProperty("publication.autocreate.mode", switch (source.publicationCreate()) {
            case FILTERED -> "filtered";
            case ALL_TABLES -> "all_tables";
            case NEVER -> "disabled";
        });
        p.setProperty("table.include.list", tables.stream()
                .map(Pattern::quote)
                .collect(Collectors.joining(",")));
        if (!source.includeColumns().isEmpty()) {
            p.setProperty("column.include.list", columnRegexes(source.includeColumns()));
        }
        if (!source.excludeColumns().isEmpty()) {
            p.setProperty("column.exclude.list", columnRegexes(source.excludeColumns()));
        }
        p.setProperty("snapshot.mode", switch (source.snapshot()) {
            case INITIAL -> "custom";
            case NEVER -> "no_data";
            case INITIAL_ONLY -> "initial_only";
            case WHEN_NEEDED -> "when_needed";
        });
        // A repeated snapshot on an existing slot must not skip what was committed since the slot's position.
        p.setProperty("snapshot.mode.custom.name", ResumingInitialSnapshotter.NAME);
        // The slot advances only from offsets Sluice committed after every sink acknowledged (invariant M).
        p.setProperty("lsn.flush.mode", "connector");
        p.setProperty("slot.drop.on.stop", "false");

        // Transaction markers give each transaction's commit LSN, from which events get their commit-ordered
        // version (docs/adr/0001-commit-ordered-version.md).
        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("skipped.operations", "none");
        // Sluice writes its own tombstones (Kafka sink); Debezium's would only be empty records to skip.
        p.setProperty("tombstones.on.delete", "false");
        // Context headers on every record, which the normalizer never reads: only their cost would remain.
        p.setProperty("extended.headers.enabled", "false");
        heartbeat(source.heartbeat(), p);
        signals(source.signalTable(), p);

        p.setProperty("decimal.handling.mode", "string");
        // In string mode a numeric column's schema looks like text; the source type tells the normalizer apart.
        p.setProperty("datatype.propagate.source.type", ".+\\.numeric,.+\\._numeric,.+\\.money");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("include.unknown.datatypes", "false");
        p.setProperty("unavailable.value.placeholder", TOAST_PLACEHOLDER);

        p.setProperty("max.batch.size", Integer.toString(MAX_BATCH_SIZE));
        p.setProperty("max.queue.size", Integer.toString(MAX_QUEUE_SIZE));
        p.setProperty("max.queue.size.in.bytes", Long.toString(MAX_QUEUE_BYTES));
        p.setProperty("poll.interval.ms", "50");
        // A lost connection while streaming is retried by Debezium with its own backoff, indefinitely.
        p.setProperty("errors.max.retries", "-1");
        p.setProperty("errors.retry.delay.initial.ms", "300");
        p.setProperty("errors.retry.delay.max.ms", "10000");
        return p;
    }

    /**
     * Heartbeats let the slot advance while the captured tables are quiet (docs/resnapshot-and-wal.md says when the
     * action query is needed). An interval of 0 turns them off, as Debezium reads it.
     */
    private static void heartbeat(HeartbeatConfig heartbeat, Properties p) {
        p.setProperty("heartbeat.interval.ms", Long.toString(heartbeat.interval().toMillis()));
        if (heartbeat.enabled() && heartbeat.query() != null) {
            p.setProperty("heartbeat.action.query", heartbeat.query());
        }
    }

    /**
     * The signal table, read from the WAL ({@code source} channel): Debezium adds it to its table filter and so to
     * the filtered publication, and writes the incremental snapshot's watermarks into it. Its rows reach the
     * handler like any captured table's, which drops them before the sinks.
     */
    private static void signals(String signalTable, Properties p) {
        if (signalTable == null) {
            return;
        }
        // PostgreSQL names a data collection schema.table, without the database.
        p.setProperty("signal.data.collection", signalTable);
        p.setProperty("signal.enabled.channels", "source");
        p.setProperty("incremental.snapshot.chunk.size", Integer.toString(INCREMENTAL_SNAPSHOT_CHUNK_SIZE));
        // insert_insert: both watermarks are inserts, so the close watermark is a transaction of its own whose
        // commit LSN versions the chunk's rows (docs/adr/0001-commit-ordered-version.md).
        p.setProperty("incremental.snapshot.watermarking.strategy", "insert_insert");
    }

    /** Column patterns ({@code schema.table.column}, {@code *} = any characters) as Debezium's regular expressions. */
    private static String columnRegexes(List<String> patterns) {
        return patterns.stream().map(TableNames::regex).collect(Collectors.joining(","));
    }
}
