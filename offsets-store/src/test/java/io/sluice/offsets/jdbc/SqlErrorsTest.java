package io.sluice.offsets.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void poolTimeoutSaysWhyTheConnectionFailed() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:1 refused. Check that the hostname and port"
                + " are correct.", "08001", new ConnectException("Connection refused"));
        SQLException timeout = new SQLTransientConnectionException("sluice-offsets - Connection is not available,"
                + " request timed out after 2001ms", "08001", refused);

        assertThat(SqlErrors.reason(timeout)).isEqualTo("no connection in time (sluice-offsets - Connection is not"
                + " available, request timed out after 2001ms: Connection to 127.0.0.1:1 refused. Check that the"
                + " hostname and port are correct: Connection refused)");
    }

    @Test
    void reasonIsOneLine() {
        assertThat(SqlErrors.reason(new SQLException("ERROR: permission denied for schema locked\n  Position: 15")))
                .isEqualTo("ERROR: permission denied for schema locked Position: 15");
    }
}
