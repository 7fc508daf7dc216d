package io.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface, as the kernel hands them out. */
public final class FreePorts {

    private FreePorts() {
    }

    /** One port that was free a moment ago. */
    public static int pick() {
        return pick(1)[0];
    }

    /** {@code count} distinct ports that were free a moment ago. */
    public static int[] pick(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            // All sockets stay bound until every port is known, so the kernel cannot hand out one port twice.
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                // Without this the port could sit in TIME_WAIT and the server would fail to bind it.
                sockets[i].setReuseAddress(true);
                sockets[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free port on the loopback interface", e);
        } finally {
            for (ServerSocket socket : sockets) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // The port number is already known; a failed close of a listening socket cannot affect it.
        }
    }
}
