package io.sluice.bench.load;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Inserts rows at a fixed offered rate: every {@value #TICK_MILLIS} ms one transaction with the rows due by then
 * (rate x elapsed time minus rows written), so a slow commit is made up in the next transaction rather than lowering
 * the rate. Rows have the same shape as the {@link Workload}'s.
 */
public final class PacedInserter {
    static final long TICK_MILLIS = 10;

    /** Told about every committed transaction. */
    public interface Listener {
        /**
         * @param lastId       the id of the transaction's last row
         * @param commitMicros when the commit returned to the writer, in microseconds since the epoch (wall clock,
         *                     the clock the sinks' times are compared with)
         */
        void committed(long lastId, long commitMicros);
    }

    private final int rowsPerSecond;

    public PacedInserter(int rowsPerSecond) {
        if (rowsPerSecond < 1) {
            throw new IllegalArgumentException("rowsPerSecond must be at least 1");
        }
        this.rowsPerSecond = rowsPerSecond;
    }

    /**
     * Inserts rows with ids from {@code firstId} on for {@code duration}.
     *
     * @return the number of rows inserted
     */
    public long run(Connection connection, long firstId, Duration duration, Listener listener)
            throws SQLException, InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long written = 0;
        long tick = 0;
        try (PreparedStatement insert = connection.prepareStatement(Workload.INSERT)) {
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    return written;
                }
                long due = (long) ((now - start) / 1e9 * rowsPerSecond) - written;
                if (due > 0) {
                    long first = firstId + written;
                    insert.setLong(1, first);
                    insert.setLong(2, first + due - 1);
                    insert.executeUpdate();
                    listener.committed(first + due - 1, nowMicros());
                    written += due;
                }
                tick++;
                long sleep = start + tick * TICK_MILLIS * 1_000_000 - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        }
    }

    /** Wall-clock microseconds since the epoch. */
    public static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }
}
