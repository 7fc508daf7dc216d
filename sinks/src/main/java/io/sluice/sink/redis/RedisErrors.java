package io.sluice.sink.redis;

import java.security.cert.CertificateException;
import java.util.Set;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * What a Redis error means for the sink. Jedis gives some error replies their own exception type; the others
 * arrive as {@link JedisDataException} carrying the reply, whose first word is the error code Redis defines for
 * clients to act on ({@code OOM}, {@code READONLY}, {@code WRONGTYPE}...). The code decides, never the prose after it.
 */
final class RedisErrors {

    /** The three outcomes the Sink SPI knows. */
    enum Kind {
        /** May succeed later: no connection, failover, loading, out of memory, a busy script. */
        RETRIABLE,
        /** Redis refuses this event and always will: another type of value at the key, a bad stored value. */
        REJECTED,
        /** The sink cannot go on: credentials, rights, a server certificate TLS refuses. */
        FATAL
    }

    /**
     * Error codes of replies that may go away by themselves: {@code OOM} (a full cache frees memory by expiry or an
     * operator), {@code READONLY} and {@code MASTERDOWN} (a failover in progress), {@code LOADING} (a restart
     * reading its data), {@code BUSY} (a long script), {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code MOVED} and
     * {@code ASK} (slots moving in a cluster).
     */
    private static final Set<String> TRANSIENT_CODES = Set.of("OOM", "READONLY", "MASTERDOWN", "LOADING", "BUSY",
            "TRYAGAIN", "CLUSTERDOWN", "MOVED", "ASK", "NOREPLICAS");

    /** Error codes about the sink's rights or credentials, which no retry changes. */
    private static final Set<String> FATAL_CODES = Set.of("NOPERM", "NOAUTH", "WRONGPASS");

    private RedisErrors() {
    }

    static Kind classify(JedisException error) {
        if (error instanceof JedisAccessControlException || refusedCertificate(error)) {
            return Kind.FATAL;
        }
        if (error instanceof JedisConnectionException || error instanceof JedisClusterOperationException
                || error instanceof JedisBusyException || error instanceof JedisClusterException
                || error instanceof JedisRedirectionException) {
            return Kind.RETRIABLE;
        }
        if (error instanceof JedisDataException) {
            String code = code(error);
            if (TRANSIENT_CODES.contains(code)) {
                return Kind.RETRIABLE;
            }
            return FATAL_CODES.contains(code) ? Kind.FATAL : Kind.REJECTED;
        }
        // What remains are the client's own failures to get a connection (e.g. an exhausted or closed pool).
        return Kind.RETRIABLE;
    }

    /**
     * Whether TLS refused the server's certificate (untrusted chain, host name not in it): no retry changes that,
     * unlike a handshake cut short by a restarting server, which has no certificate error behind it.
     */
    private static boolean refusedCertificate(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    /** The error code of a Redis error reply: its first word, e.g. {@code WRONGTYPE}; empty when there is none. */
    static String code(JedisException error) {
        String message = error.getMessage();
        if (message == null) {
            return "";
        }
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }

    /** Redis's message along the cause chain, for logs and errors; Redis never quotes stored values in them. */
    static String describe(Throwable error) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = error; t != null && out.length() < 400; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && out.indexOf(message.strip()) < 0) {
                if (out.length() > 0) {
                    out.append(": ");
                }
                out.append(message.strip());
            }
        }
        return out.length() == 0 ? error.getClass().getSimpleName() : out.toString();
    }
}
