package io.sluice.offsets.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;

/** Plain words for what went wrong talking to PostgreSQL, from the driver's and the pool's exceptions. */
final class SqlErrors {
    private static final int MAX_MESSAGES = 3;

    private SqlErrors() {
    }

    /**
     * The messages along the cause chain, e.g. {@code no connection in time (sluice-offsets - Connection is not
     * available, request timed out after 3001ms...): Connection to 127.0.0.1:5432 refused...}: the pool's timeout
     * alone does not say why, its cause does. Neither pgjdbc nor HikariCP puts passwords into messages.
     */
    static String reason(SQLException error) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = error; t != null && messages.size() < MAX_MESSAGES; t = t.getCause() == t ? null : t.getCause()) {
            String message = message(t);
            if (message != null && !message.isBlank() && messages.stream().noneMatch(m -> m.contains(message.strip()))) {
                messages.add(message.strip());
            }
        }
        String said = messages.isEmpty() ? error.getClass().getSimpleName() : joined(messages);
        return error instanceof SQLTransientConnectionException ? "no connection in time (" + said + ")" : said;
    }

    /** The server's own words without pgjdbc's extra lines (position, location), or the exception's message. */
    private static String message(Throwable error) {
        if (error instanceof PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getMessage() != null) {
            return psql.getServerErrorMessage().getMessage();
        }
        String message = error.getMessage();
        return message == null ? null : message.replaceAll("\\s*\\R\\s*", " ");
    }

    /** Rolls back after {@code failure}; a rollback that fails too is kept with it, as the connection is lost. */
    static void rollback(Connection connection, SQLException failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** "An I/O error occurred." and "Broken pipe" as "An I/O error occurred: Broken pipe". */
    private static String joined(List<String> messages) {
        StringBuilder text = new StringBuilder();
        for (String message : messages) {
            if (text.length() > 0) {
                if (text.charAt(text.length() - 1) == '.') {
                    text.setLength(text.length() - 1);
                }
                text.append(": ");
            }
            text.append(message);
        }
        return text.toString();
    }
}
