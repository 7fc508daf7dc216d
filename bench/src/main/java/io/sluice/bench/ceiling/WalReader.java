package io.sluice.bench.ceiling;

/**
 * A client that reads a pgoutput slot as fast as PostgreSQL sends and does nothing with the data: the ceiling
 * Sluice's WAL rates are compared with.
 */
public interface WalReader {

    /** The kind the results name it by, e.g. {@code wal-drain pg_recvlogical}. */
    String kind();

    /**
     * Reads the slot from its start until it has received every change up to {@code endLsn} (the WAL insert
     * position right after the last measured commit; a later transaction exists, so the reader always sees a
     * message past it).
     *
     * @return the number of row changes read, or -1 when the reader cannot count them
     */
    long drain(String slot, String publication, long endLsn) throws Exception;
}
