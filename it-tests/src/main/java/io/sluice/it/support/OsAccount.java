package io.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * An unprivileged OS account for servers that refuse to run as root (PostgreSQL, Elasticsearch).
 *
 * @param name login name
 * @param uid  numeric user id, so that {@code setpriv} needs no name lookup
 * @param gid  numeric id of the account's primary group
 */
record OsAccount(String name, int uid, int gid) {

    /** The account created for local servers when the tests run as root. */
    static final String DEFAULT_NAME = "sluice-it";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    static boolean currentUserIsRoot() {
        try {
            // /proc/self belongs to the effective uid of the process that looks at it.
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * The system account {@code name}, created (with its own group, no home and no login shell) if it does not
     * exist yet. Concurrent callers may race to create it; the loser finds the winner's account.
     */
    static OsAccount ensureSystemAccount(String name) {
        ProcessLauncher launcher = ProcessLauncher.asCurrentUser();
        Path here = Path.of(System.getProperty("java.io.tmpdir"));
        if (!launcher.run(List.of("id", "-u", name), here, COMMAND_TIMEOUT).succeeded()) {
            Path useradd = Executables.onPath("useradd").orElseThrow(() -> new LocalServerException(
                    "running as root and account '" + name + "' does not exist, "
                            + "but useradd is not available to create it"));
            CommandResult created = launcher.run(List.of(useradd.toString(), "--system", "--user-group",
                    "--no-create-home", "--home-dir", "/nonexistent", "--shell", nologinShell(), name), here,
                    COMMAND_TIMEOUT);
            if (!created.succeeded() && !launcher.run(List.of("id", "-u", name), here, COMMAND_TIMEOUT).succeeded()) {
                throw new LocalServerException("could not create account '" + name + "': " + created.output());
            }
        }
        return new OsAccount(name, numericId(launcher, here, "-u", name), numericId(launcher, here, "-g", name));
    }

    /** Hands {@code root} and everything below it to this account. */
    void takeOwnership(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not hand " + root + " to account " + name, e);
        }
    }

    private static int numericId(ProcessLauncher launcher, Path here, String flag, String name) {
        CommandResult result = launcher.run(List.of("id", flag, name), here, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new LocalServerException("could not look up account '" + name + "': " + result.output());
        }
        return Integer.parseInt(result.output().trim());
    }

    private static String nologinShell() {
        return Stream.of("/usr/sbin/nologin", "/sbin/nologin", "/bin/false")
                .filter(shell -> Files.isExecutable(Path.of(shell)))
                .findFirst()
                .orElse("/bin/false");
    }
}
