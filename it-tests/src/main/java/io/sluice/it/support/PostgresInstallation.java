package io.sluice.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) and the major version
 * they report.
 */
record PostgresInstallation(Path binDir, int majorVersion, PostgresBinaries origin) {

    private static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");

    static PostgresInstallation locate(PostgresBinaries choice) {
        return switch (choice) {
            case SYSTEM -> system().orElseThrow(() -> new LocalServerException("no PostgreSQL server binaries on "
                    + "this machine (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH); use "
                    + PostgresBinaries.PROPERTY + "=embedded or auto"));
            case EMBEDDED -> of(EmbeddedPostgres.extract(), PostgresBinaries.EMBEDDED);
            case AUTO -> system().orElseGet(() -> of(EmbeddedPostgres.extract(), PostgresBinaries.EMBEDDED));
        };
    }

    Path program(String name) {
        return binDir.resolve(name);
    }

    private static Optional<PostgresInstallation> system() {
        return Stream.of(fromPgConfig(), highestUnderUsrLib(), besideInitdbOnPath())
                .flatMap(Optional::stream)
                .findFirst()
                .map(binDir -> of(binDir, PostgresBinaries.SYSTEM));
    }

    private static Optional<Path> fromPgConfig() {
        // pg_config can come from the client package alone, so its bindir is checked for the server programs.
        return Executables.onPath("pg_config").flatMap(pgConfig -> {
            CommandResult result = ProcessLauncher.asCurrentUser()
                    .run(List.of(pgConfig.toString(), "--bindir"), tmpdir(), Duration.ofSeconds(10));
            return result.succeeded() ? Optional.of(Path.of(result.output().trim())) : Optional.empty();
        }).filter(PostgresInstallation::hasServerPrograms);
    }

    private static Optional<Path> highestUnderUsrLib() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions
                    .filter(dir -> dir.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .map(dir -> dir.resolve("bin"))
                    .filter(PostgresInstallation::hasServerPrograms);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> besideInitdbOnPath() {
        return Executables.onPath("initdb").flatMap(initdb -> {
            try {
                // Debian links /usr/local/bin/initdb to the versioned directory, where pg_ctl and postgres live.
                return Optional.of(initdb.toRealPath().getParent());
            } catch (IOException e) {
                return Optional.empty();
            }
        }).filter(PostgresInstallation::hasServerPrograms);
    }

    private static boolean hasServerPrograms(Path binDir) {
        return PROGRAMS.stream().allMatch(program -> Executables.isExecutableFile(binDir.resolve(program)));
    }

    private static PostgresInstallation of(Path binDir, PostgresBinaries origin) {
        CommandResult result = ProcessLauncher.asCurrentUser()
                .run(List.of(binDir.resolve("postgres").toString(), "-V"), tmpdir(), Duration.ofSeconds(10));
        Matcher version = VERSION.matcher(result.output());
        if (!result.succeeded() || !version.find()) {
            throw new LocalServerException(binDir.resolve("postgres") + " -V did not report a version: "
                    + result.output());
        }
        return new PostgresInstallation(binDir, Integer.parseInt(version.group(1)), origin);
    }

    private static Path tmpdir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
