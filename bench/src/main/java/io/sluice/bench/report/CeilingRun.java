package io.sluice.bench.report;

/**
 * One measurement of what PostgreSQL delivers to a client that does nothing with the data.
 *
 * @param kind      {@code wal-drain pg_recvlogical}, {@code wal-drain pgjdbc} (the same changes as the
 *                  backlog run, read from a pgoutput slot) or {@code copy} (the same table as the snapshot run, read
 *                  with {@code COPY ... TO STDOUT})
 * @param repeat    1-based repeat number
 * @param events    changes (copy: rows) read
 * @param seconds   how long reading took
 * @param perSecond {@code events / seconds}
 * @param problem   why the measurement failed; {@code null} when it did not
 */
public record CeilingRun(String kind, int repeat, long events, double seconds, double perSecond, String problem) {

    public static final String DRAIN_RECVLOGICAL = "wal-drain pg_recvlogical";
    public static final String DRAIN_JDBC = "wal-drain pgjdbc";
    public static final String COPY = "copy";

    public static CeilingRun failed(String kind, int repeat, String problem) {
        return new CeilingRun(kind, repeat, 0, Double.NaN, Double.NaN, problem);
    }

    public boolean ok() {
        return problem == null;
    }
}
