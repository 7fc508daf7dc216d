package io.sluice.it.support;

import java.util.stream.Collectors;

/**
 * Starts a PostgreSQL server, a Kafka broker and a Redis server and never closes them, for
 * {@link LocalServerCleanupIT}. Prints one line {@code SERVERS <postgres log> <kafka log> <redis log> <pid>...}
 * naming the servers' log files and every process it
 * started, then either returns from {@code main} ({@code exit}) or waits to be killed ({@code wait}).
 */
public final class AbandonedServersMain {

    private AbandonedServersMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalPostgres postgres = LocalPostgres.start();
        LocalKafka kafka = LocalKafka.start();
        LocalRedis redis = LocalRedis.start();
        String pids = ProcessHandle.current().descendants()
                .map(process -> String.valueOf(process.pid()))
                .collect(Collectors.joining(" "));
        System.out.println("SERVERS " + postgres.logFile() + " " + kafka.logFile() + " " + redis.logFile() + " "
                + pids);
        System.out.flush();
        if (args.length == 1 && args[0].equals("wait")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
