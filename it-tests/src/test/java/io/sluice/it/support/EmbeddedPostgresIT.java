package io.sluice.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresIT {

    @TempDir
    Path root;

    @Test
    void concurrentExtractionsShareOneCompleteCopyAndLeaveNoStagingDirectories() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Path> extract = () -> EmbeddedPostgres.extract(root);
            List<Future<Path>> results = pool.invokeAll(List.of(extract, extract));

            Path first = results.get(0).get();
            assertThat(results.get(1).get()).isEqualTo(first);
            assertThat(first.resolve("postgres")).isExecutable();
            assertThat(first.resolve("initdb")).isExecutable();
            assertThat(first.resolveSibling("lib").resolve("postgresql/pgoutput.so")).isRegularFile();
            try (Stream<Path> entries = Files.list(root)) {
                assertThat(entries).containsExactly(first.getParent());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void damagedCopyIsLeftAloneAndAFreshOneIsUnpackedBesideIt() throws Exception {
        Path damaged = EmbeddedPostgres.extract(root);
        Files.delete(damaged.resolve("pg_ctl"));

        Path fresh = EmbeddedPostgres.extract(root);

        assertThat(fresh).isNotEqualTo(damaged);
        assertThat(fresh.resolve("pg_ctl")).isExecutable();
        assertThat(damaged.resolve("postgres")).exists();
        assertThat(EmbeddedPostgres.extract(root)).isEqualTo(fresh);
    }
}
