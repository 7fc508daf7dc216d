package io.sluice.bench.scenario;

import io.sluice.bench.CeilingReader;
import io.sluice.bench.ceiling.CopyReader;
import io.sluice.bench.ceiling.JdbcReplicationReader;
import io.sluice.bench.ceiling.RecvLogicalReader;
import io.sluice.bench.ceiling.WalReader;
import io.sluice.bench.env.BenchDatabase;
import io.sluice.bench.load.Workload;
import io.sluice.bench.report.CeilingRun;
import io.sluice.it.support.LocalPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What PostgreSQL delivers to clients that do nothing with the data, measured in the same invocation as Sluice: the
 * backlog drain of a pgoutput slot holding the same changes as the backlog run, and COPY of the same table as the
 * snapshot run.
 */
public final class CeilingScenario {
    private static final String PUBLICATION = "bench_ceiling";
    private static final String SLOT = "bench_ceiling_";

    private final RunContext context;
    private final List<WalReader> readers;

    public CeilingScenario(RunContext context) {
        this.context = context;
        this.readers = readers(context.options().ceilingReader(), context.servers().postgres(), context);
    }

    private static List<WalReader> readers(CeilingReader choice, LocalPostgres postgres, RunContext context) {
        Optional<RecvLogicalReader> recvLogical = RecvLogicalReader.find(postgres, context.readerTimeout());
        JdbcReplicationReader jdbc = new JdbcReplicationReader(postgres);
        return switch (choice) {
            case AUTO -> List.of(recvLogical.<WalReader>map(r -> r).orElse(jdbc));
            case JDBC -> List.of(jdbc);
            case RECVLOGICAL -> List.of(recvLogical.orElseThrow(() -> new IllegalArgumentException(
                    "-Dbench.ceiling=recvlogical, but there is no pg_recvlogical of PostgreSQL "
                            + postgres.majorVersion() + " on this machine; use auto or jdbc")));
            case BOTH -> {
                List<WalReader> both = new ArrayList<>();
                recvLogical.ifPresent(both::add);
                both.add(jdbc);
                yield List.copyOf(both);
            }
        };
    }

    public List<String> readerKinds() {
        return readers.stream().map(WalReader::kind).toList();
    }

    /**
     * One slot per reader, created before the changes (N inserts, N updates, in the workload's transactions) are
     * written; each reader then drains its slot to the position after the last change.
     */
    public List<CeilingRun> drain(int repeat) throws Exception {
        BenchDatabase database = context.database();
        Workload workload = context.workload();
        long rows = context.options().rows();
        database.recreate();
        List<CeilingRun> runs = new ArrayList<>();
        try (Connection db = database.connect(); Statement statement = db.createStatement()) {
            statement.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + BenchDatabase.TABLE);
            for (int i = 0; i < readers.size(); i++) {
                statement.execute("SELECT pg_create_logical_replication_slot('" + SLOT + i + "', 'pgoutput')");
            }
            workload.insert(db, 1, rows);
            workload.update(db, 1, rows);
            long endLsn = BenchDatabase.walInsertLsn(db);
            // A later transaction, so that every reader sees a message past the end position and stops at once.
            workload.mark(db, 1, "end");
            long changes = 2 * rows;
            for (int i = 0; i < readers.size(); i++) {
                WalReader reader = readers.get(i);
                try {
                    long start = System.nanoTime();
                    long read = reader.drain(SLOT + i, PUBLICATION, endLsn);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    String problem = read < 0 || read == changes ? null
                            : "read " + read + " changes, expected " + changes;
                    runs.add(new CeilingRun(reader.kind(), repeat, changes, seconds, changes / seconds, problem));
                } catch (Exception e) {
                    runs.add(CeilingRun.failed(reader.kind(), repeat, e.getMessage()));
                }
            }
        } finally {
            database.dropSlots();
        }
        return runs;
    }

    /** COPY of a table pre-filled like the snapshot run's. */
    public CeilingRun copy(int repeat) throws Exception {
        context.database().recreate();
        try (Connection db = context.database().connect()) {
            context.workload().prefill(db, context.options().rows());
            long start = System.nanoTime();
            long rows = CopyReader.readAll(db);
            double seconds = (System.nanoTime() - start) / 1e9;
            String problem = rows == context.options().rows() ? null
                    : "COPY read " + rows + " rows, expected " + context.options().rows();
            return new CeilingRun(CeilingRun.COPY, repeat, rows, seconds, rows / seconds, problem);
        }
    }
}
