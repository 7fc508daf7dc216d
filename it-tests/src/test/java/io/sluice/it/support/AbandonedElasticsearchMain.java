package io.sluice.it.support;

import java.util.stream.Collectors;

/**
 * Starts an Elasticsearch and never closes it, for {@link LocalElasticsearchIT}: prints one line
 * {@code SERVER <log file> <pid>...} naming its log file and every process it started (launcher and server JVM),
 * then waits to be killed.
 */
public final class AbandonedElasticsearchMain {

    private AbandonedElasticsearchMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalElasticsearch elasticsearch = LocalElasticsearch.start();
        String pids = ProcessHandle.current().descendants()
                .map(process -> String.valueOf(process.pid()))
                .collect(Collectors.joining(" "));
        System.out.println("SERVER " + elasticsearch.logFile() + " " + pids);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
