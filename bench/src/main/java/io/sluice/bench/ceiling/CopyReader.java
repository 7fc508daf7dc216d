package io.sluice.bench.ceiling;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/** The snapshot's ceiling: {@code COPY orders TO STDOUT} through pgjdbc into nothing. */
public final class CopyReader {
    private CopyReader() {
    }

    /** @return the rows read */
    public static long readAll(Connection connection) throws SQLException, IOException {
        return connection.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY orders TO STDOUT", OutputStream.nullOutputStream());
    }
}
