package io.sluice.bench.env;

/**
 * Reads a process's CPU time and peak resident set from the text of {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/status} (proc(5)).
 */
public final class ProcFiles {
    /** Index of {@code utime} (field 14) among the fields after the command name, which start at field 3. */
    private static final int UTIME = 14 - 3;
    private static final int STIME = 15 - 3;

    private ProcFiles() {
    }

    /**
     * User plus system CPU time of all the process's threads, in clock ticks ({@code getconf CLK_TCK}, usually 100
     * per second).
     */
    public static long cpuTicks(String stat) {
        // The command name is in parentheses and may itself hold spaces and parentheses: fields start after the last.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        if (fields.length <= STIME) {
            throw new IllegalArgumentException("too few fields in /proc/<pid>/stat: " + stat);
        }
        return Long.parseLong(fields[UTIME]) + Long.parseLong(fields[STIME]);
    }

    /** {@code VmHWM}, the peak resident set size, in bytes; -1 when the text has none (a zombie process). */
    public static long peakRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected VmHWM line: " + line);
                }
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return -1;
    }
}
