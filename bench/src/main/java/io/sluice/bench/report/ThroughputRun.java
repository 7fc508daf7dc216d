package io.sluice.bench.report;

/**
 * One measured throughput run (streaming, backlog or snapshot) of one sink set. Figures that do not apply to the
 * mode are NaN.
 *
 * @param mode            {@code streaming}, {@code backlog} or {@code snapshot}
 * @param sinks           the sink set, e.g. {@code kafka} or {@code all}
 * @param repeat          1-based repeat number
 * @param events          events (snapshot: rows) the run delivered and the rate counts
 * @param seconds         the measured window: streaming from the first write to the last event acknowledged;
 *                        backlog and snapshot from the first to the last event acknowledged
 * @param perSecond       {@code events / seconds}
 * @param startupSeconds  backlog and snapshot: from starting the Sluice process to its first acknowledged event
 * @param writerPerSecond streaming: the rate at which the load was written, the most streaming can show
 * @param drainSeconds    streaming: from the last write to the last event acknowledged
 * @param cost            what the Sluice process used
 * @param problem         why the run is not valid (it failed, or a sink misses events); {@code null} for a good run
 * @param note            something worth knowing that leaves the run valid, e.g. events a sink applied twice (a
 *                        suffix replayed after a restart, as at-least-once delivery allows); {@code null} if none
 */
public record ThroughputRun(String mode, String sinks, int repeat, long events, double seconds, double perSecond,
        double startupSeconds, double writerPerSecond, double drainSeconds, Cost cost, String problem, String note) {

    public static ThroughputRun failed(String mode, String sinks, int repeat, String problem) {
        return new ThroughputRun(mode, sinks, repeat, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Cost.UNKNOWN, problem, null);
    }

    public boolean ok() {
        return problem == null;
    }
}
