package io.sluice.bench.report;

/**
 * One latency run: rows inserted at a fixed offered rate while Sluice streams them.
 *
 * @param sinks           the sink set
 * @param repeat          1-based repeat number
 * @param offeredRate     rows per second the writer aimed at
 * @param achievedRate    rows per second it wrote in the measured window
 * @param seconds         length of the measured window (after the warm-up)
 * @param visible         per sampled row (the last row of each transaction): from the moment its commit returned to
 *                        the writer until every sink of the set showed it, in milliseconds
 * @param kafkaEveryEvent Kafka in the set: for every event, the record's broker append time (LogAppendTime) minus
 *                        PostgreSQL's commit timestamp carried in the event, in milliseconds
 * @param drainMillis     from the last commit to the last sampled row being visible in every sink
 * @param lagGrowthMillis median latency of the last tenth of the samples minus that of the first tenth: near 0 when
 *                        Sluice keeps up, growing with the window when it does not
 * @param rowsWritten     rows written in the measured window
 * @param cost            what the Sluice process used (CPU per event over the measured window)
 * @param problem         why the run is not valid; {@code null} for a good run
 */
public record LatencyRun(String sinks, int repeat, int offeredRate, double achievedRate, double seconds,
        Percentiles visible, Percentiles kafkaEveryEvent, double drainMillis, double lagGrowthMillis,
        long rowsWritten, Cost cost, String problem) {

    public static LatencyRun failed(String sinks, int repeat, int offeredRate, String problem) {
        return new LatencyRun(sinks, repeat, offeredRate, Double.NaN, Double.NaN, Percentiles.NONE, Percentiles.NONE,
                Double.NaN, Double.NaN, 0, Cost.UNKNOWN, problem);
    }

    public boolean ok() {
        return problem == null;
    }
}
