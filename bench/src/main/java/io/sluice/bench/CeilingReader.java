package io.sluice.bench;

import java.util.Locale;

/** Which do-nothing client reads the WAL for the ceiling. */
public enum CeilingReader {
    /** pg_recvlogical of the server's major version when the machine has it, else the pgjdbc reader. */
    AUTO,
    /** PostgreSQL's own {@code pg_recvlogical}; fails when it is missing. */
    RECVLOGICAL,
    /** A minimal reader on pgjdbc's replication API. */
    JDBC,
    /** Both, one after the other. */
    BOTH;

    public static CeilingReader parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown ceiling reader '" + text.trim()
                    + "'; use auto, recvlogical, jdbc or both", e);
        }
    }
}
