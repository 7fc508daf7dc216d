package io.sluice.it;

/** Test classes' shared servers, stopped together at the end of the class. */
public final class Servers {
    private Servers() {
    }

    /**
     * Stops each server, in the order given, skipping those never started; one that fails to stop is reported and
     * does not keep the others running.
     */
    public static void stopAll(AutoCloseable... servers) {
        for (AutoCloseable server : servers) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                System.err.println("could not stop " + server + ": " + e);
            }
        }
    }
}
