package io.sluice.bench.scenario;

import io.sluice.bench.BenchOptions;
import io.sluice.bench.SinkSet;
import io.sluice.bench.env.SluiceChild;
import io.sluice.bench.load.Workload;
import io.sluice.bench.probe.Check;
import io.sluice.bench.probe.Probes.Arrival;
import io.sluice.bench.probe.Target;
import io.sluice.bench.report.ThroughputRun;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The three throughput measurements of one sink set. Each is one {@link SluiceRun} from a fresh database; bench/README.md
 * describes what each window starts and ends with.
 */
public final class ThroughputScenarios {
    private static final String WARMED_UP = "warmed-up";
    private static final String PRIMED = "primed";
    private static final String END = "end";

    private final RunContext context;

    public ThroughputScenarios(RunContext context) {
        this.context = context;
    }

    /**
     * Sluice streams while N rows are inserted and then updated (after an unmeasured warm-up of the same shape); the
     * window runs from the first write to the moment every sink holds the last change.
     */
    public ThroughputRun streaming(SinkSet sinks, int repeat) throws Exception {
        BenchOptions options = context.options();
        Workload workload = context.workload();
        try (SluiceRun run = SluiceRun.prepare(context, "streaming-" + sinks.label() + "-" + repeat, sinks);
                Connection db = context.database().connect()) {
            SluiceChild sluice = run.start("");
            run.awaitStreaming(sluice);
            long warmup = options.warmupRows();
            long events = 0;
            if (warmup > 0) {
                workload.insert(db, 1, warmup);
                workload.update(db, 1, warmup);
                workload.mark(db, 1, WARMED_UP);
                events = 2 * warmup + 1;
                run.await(new Target(events, warmup, 1, WARMED_UP), sluice);
            }
            long first = warmup + 1;
            long last = warmup + options.rows();
            long measured = 2L * options.rows() + 1;
            Target target = new Target(events + measured, last, first, END);
            long[] baseline = run.probes().progress();
            long cpuBefore = sluice.cpuMicros();
            long start = System.nanoTime();
            workload.insert(db, first, last);
            workload.update(db, first, last);
            workload.mark(db, first, END);
            long written = System.nanoTime();
            Arrival arrival = run.await(target, baseline, sluice, () -> { });
            long cpu = sluice.cpuMicros() - cpuBefore;
            sluice.recordPeaks();
            Check check = finish(run, sluice, target);
            double seconds = seconds(arrival.doneNanos() - start);
            return new ThroughputRun("streaming", sinks.label(), repeat, measured, seconds, measured / seconds,
                    Double.NaN, measured / seconds(written - start), seconds(arrival.doneNanos() - written),
                    sluice.cost(cpu, measured), check.problem(), check.note());
        }
    }

    /**
     * The same changes written while Sluice is stopped (after it created its slot and stored an offset), then Sluice
     * started again; the window runs from the first to the last change acknowledged after the restart.
     */
    public ThroughputRun backlog(SinkSet sinks, int repeat) throws Exception {
        BenchOptions options = context.options();
        Workload workload = context.workload();
        try (SluiceRun run = SluiceRun.prepare(context, "backlog-" + sinks.label() + "-" + repeat, sinks);
                Connection db = context.database().connect()) {
            SluiceChild priming = run.start("priming");
            run.awaitStreaming(priming);
            // One delivered change gives Sluice an offset to store, so the restart resumes instead of snapshotting.
            workload.insert(db, 0, 0);
            workload.mark(db, 0, PRIMED);
            long events = 2;
            run.await(new Target(events, 1, 0, PRIMED), priming);
            int primingExit = priming.stop();
            if (primingExit != SluiceChild.STOPPED_CLEANLY || !run.hasStoredOffsets()) {
                throw new IllegalStateException("the priming Sluice exited with code " + primingExit
                        + (run.hasStoredOffsets() ? "" : " without storing offsets") + "; see " + priming.log());
            }
            workload.insert(db, 1, options.rows());
            workload.update(db, 1, options.rows());
            workload.mark(db, 1, END);
            long measured = 2L * options.rows() + 1;
            Target target = new Target(events + measured, options.rows() + 1, 1, END);
            return catchUp(run, sinks, "backlog", repeat, target, measured);
        }
    }

    /**
     * Sluice started on a table pre-filled with N rows; the window runs from the first to the last row acknowledged.
     */
    public ThroughputRun snapshot(SinkSet sinks, int repeat) throws Exception {
        BenchOptions options = context.options();
        try (SluiceRun run = SluiceRun.prepare(context, "snapshot-" + sinks.label() + "-" + repeat, sinks);
                Connection db = context.database().connect()) {
            context.workload().prefill(db, options.rows());
            return catchUp(run, sinks, "snapshot", repeat, Target.withoutMarker(options.rows(), options.rows()),
                    options.rows());
        }
    }

    /** Starts Sluice and measures how fast it delivers what is waiting for it. */
    private ThroughputRun catchUp(SluiceRun run, SinkSet sinks, String mode, int repeat, Target target, long measured)
            throws Exception {
        long[] baseline = run.probes().progress();
        long launched = System.nanoTime();
        SluiceChild sluice = run.start("");
        AtomicLong cpuAtFirst = new AtomicLong();
        Arrival arrival = run.await(target, baseline, sluice, () -> cpuAtFirst.set(sluice.cpuMicros()));
        long cpu = sluice.cpuMicros() - cpuAtFirst.get();
        sluice.recordPeaks();
        Check check = finish(run, sluice, target);
        double seconds = seconds(arrival.doneNanos() - arrival.firstNanos());
        return new ThroughputRun(mode, sinks.label(), repeat, measured, seconds, measured / seconds,
                seconds(arrival.firstNanos() - launched), Double.NaN, Double.NaN, sluice.cost(cpu, measured),
                check.problem(), check.note());
    }

    /** Checks what the sinks hold against the target and stops Sluice. */
    private static Check finish(SluiceRun run, SluiceChild sluice, Target target) throws InterruptedException {
        Check check = run.probes().check(target);
        int exit = sluice.stop();
        return check.withProblem(exit == SluiceChild.STOPPED_CLEANLY ? null
                : "Sluice exited with code " + exit + " on SIGTERM; see " + sluice.log());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
