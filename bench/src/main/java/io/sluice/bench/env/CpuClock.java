package io.sluice.bench.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Converts the clock ticks of {@code /proc/<pid>/stat} to microseconds. */
public record CpuClock(long ticksPerSecond) {

    /** Linux's usual USER_HZ, used when {@code getconf CLK_TCK} cannot be run. */
    private static final long DEFAULT_TICKS = 100;

    public CpuClock {
        if (ticksPerSecond < 1) {
            throw new IllegalArgumentException("ticks per second must be positive: " + ticksPerSecond);
        }
    }

    /** This machine's clock, as {@code getconf CLK_TCK} reports it. */
    public static CpuClock ofThisMachine() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String output = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0 && output.matches("\\d+")) {
                return new CpuClock(Long.parseLong(output));
            }
        } catch (IOException e) {
            // no getconf: fall back to the usual value below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new CpuClock(DEFAULT_TICKS);
    }

    public long micros(long ticks) {
        return ticks * 1_000_000L / ticksPerSecond;
    }
}
