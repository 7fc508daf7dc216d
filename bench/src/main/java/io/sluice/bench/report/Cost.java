package io.sluice.bench.report;

/**
 * What a run cost the Sluice process.
 *
 * @param peakRssBytes      the process's peak resident set ({@code VmHWM} in {@code /proc/<pid>/status}), read just
 *                          before it was stopped; -1 when unknown
 * @param peakHeapBytes     the most Java heap in use seen: the largest heap occupancy before a collection in the GC
 *                          log, or the occupancy at the end ({@code jcmd GC.heap_info}) if larger; -1 when unknown
 * @param cpuMicrosPerEvent user plus system CPU time of the process in the measured window, per event, in
 *                          microseconds ({@code /proc/<pid>/stat}, 10 ms clock ticks); NaN when unknown
 */
public record Cost(long peakRssBytes, long peakHeapBytes, double cpuMicrosPerEvent) {
    public static final Cost UNKNOWN = new Cost(-1, -1, Double.NaN);
}
