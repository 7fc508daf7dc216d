package io.sluice.bench.ceiling;

import io.sluice.bench.env.BenchDatabase;
import io.sluice.bench.report.CeilingRun;
import io.sluice.engine.event.Lsn;
import io.sluice.it.support.Executables;
import io.sluice.it.support.LocalPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own {@code pg_recvlogical} with the {@code pgoutput} plugin ({@code proto_version=1}), writing to
 * {@code /dev/null} without fsync, stopping at the end position ({@code --endpos}). The time includes starting the
 * program and connecting (milliseconds).
 */
public final class RecvLogicalReader implements WalReader {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");

    private final Path program;
    private final LocalPostgres postgres;
    private final Duration timeout;

    private RecvLogicalReader(Path program, LocalPostgres postgres, Duration timeout) {
        this.program = program;
        this.postgres = postgres;
        this.timeout = timeout;
    }

    /**
     * The reader, when this machine has a {@code pg_recvlogical} of the server's major version: beside the server
     * binaries in {@code /usr/lib/postgresql/<major>/bin}, or on the PATH. (The embedded PostgreSQL 18 binaries have
     * none.)
     */
    public static Optional<RecvLogicalReader> find(LocalPostgres postgres, Duration timeout) {
        return Optional.of(Path.of("/usr/lib/postgresql", Integer.toString(postgres.majorVersion()), "bin",
                        "pg_recvlogical"))
                .filter(Files::isExecutable)
                .or(() -> Executables.onPath("pg_recvlogical"))
                .filter(program -> majorVersion(program) == postgres.majorVersion())
                .map(program -> new RecvLogicalReader(program, postgres, timeout));
    }

    @Override
    public String kind() {
        return CeilingRun.DRAIN_RECVLOGICAL;
    }

    @Override
    public long drain(String slot, String publication, long endLsn) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(program.toString(),
                "--host=" + postgres.host(), "--port=" + postgres.port(), "--username=" + postgres.superuser(),
                "--dbname=" + BenchDatabase.NAME, "--slot=" + slot, "--start", "--endpos=" + Lsn.format(endLsn),
                "--no-loop", "--fsync-interval=0", "--file=/dev/null",
                "--option=proto_version=1", "--option=publication_names=" + publication))
                .redirectErrorStream(true);
        // libpq would read PGHOST, PGPORT and friends from the environment; everything is passed explicitly.
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        Path output = Files.createTempFile("bench-pg_recvlogical-", ".log");
        try {
            Process process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("pg_recvlogical did not reach " + Lsn.format(endLsn) + " within "
                        + timeout.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("pg_recvlogical exited with code " + process.exitValue() + ": "
                        + Files.readString(output, StandardCharsets.UTF_8).trim());
            }
            return -1;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int majorVersion(Path program) {
        try {
            Process process = new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            Matcher version = VERSION.matcher(output);
            return version.find() ? Integer.parseInt(version.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
