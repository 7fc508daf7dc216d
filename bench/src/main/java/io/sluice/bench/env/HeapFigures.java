package io.sluice.bench.env;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap occupancy read from the JVM's own reports: its GC log and {@code jcmd <pid> GC.heap_info}. */
public final class HeapFigures {
    /** {@code 24M->3M(256M)} in a {@code -Xlog:gc} line: occupancy before and after a collection, and the heap size. */
    private static final Pattern COLLECTION = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    /** {@code garbage-first heap   total 262144K, used 20480K} (G1, the default collector). */
    private static final Pattern G1_HEAP = Pattern.compile("garbage-first heap\\s+total (\\d+)K, used (\\d+)K");
    /** A generation of another collector, e.g. {@code def new generation   total 9792K, used 3712K}. */
    private static final Pattern GENERATION = Pattern.compile("^\\s*\\S.*total (\\d+)K, used (\\d+)K",
            Pattern.MULTILINE);

    private HeapFigures() {
    }

    /**
     * The largest heap occupancy before a collection in a {@code -Xlog:gc} log (where occupancy peaks), in bytes;
     * -1 when the log has no collection.
     */
    public static long peakBeforeCollection(String gcLog) {
        long peak = -1;
        Matcher matcher = COLLECTION.matcher(gcLog);
        while (matcher.find()) {
            peak = Math.max(peak, bytes(matcher.group(1), matcher.group(2)));
        }
        return peak;
    }

    /** The heap in use according to {@code jcmd <pid> GC.heap_info}, in bytes; -1 when the output shows none. */
    public static long usedFromHeapInfo(String heapInfo) {
        Matcher g1 = G1_HEAP.matcher(heapInfo);
        if (g1.find()) {
            return Long.parseLong(g1.group(2)) * 1024;
        }
        long used = 0;
        boolean any = false;
        Matcher generation = GENERATION.matcher(heapInfo);
        while (generation.find()) {
            // Metaspace lines read "used 1234K, committed ..." without "total", so they do not match.
            used += Long.parseLong(generation.group(2)) * 1024;
            any = true;
        }
        return any ? used : -1;
    }

    private static long bytes(String number, String unit) {
        long value = Long.parseLong(number);
        return switch (unit) {
            case "K" -> value * 1024;
            case "M" -> value * 1024 * 1024;
            case "G" -> value * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
