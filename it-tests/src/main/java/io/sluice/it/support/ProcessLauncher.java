package io.sluice.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes of local servers, optionally as another OS account.
 *
 * <p>Server processes are tied to this JVM with the kernel's parent-death signal ({@code setpriv --pdeathsig
 * KILL}), so they die even when this JVM is killed and no shutdown hook runs. The kernel sends that signal when the
 * <em>thread</em> that forked the process ends, not the JVM, so every server is forked from one daemon thread that
 * lives as long as the JVM.
 */
final class ProcessLauncher {

    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sluice-local-server-spawner");
        thread.setDaemon(true);
        return thread;
    });

    /** Variables that would reach into a child and change how it runs, e.g. a coverage agent in the broker JVM. */
    private static final List<String> INHERITED_VARIABLES_TO_DROP =
            List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private static final File DEV_NULL = new File("/dev/null");

    private final Optional<OsAccount> account;
    private final Optional<Path> setpriv;

    private ProcessLauncher(Optional<OsAccount> account, Optional<Path> setpriv) {
        this.account = account;
        this.setpriv = setpriv;
    }

    /** Runs processes as the user running this JVM. */
    static ProcessLauncher asCurrentUser() {
        return new ProcessLauncher(Optional.empty(), Executables.onPath("setpriv"));
    }

    /** Runs processes as {@code account}; needs {@code setpriv} (util-linux) to switch to it. */
    static ProcessLauncher as(OsAccount account) {
        Path setpriv = Executables.onPath("setpriv").orElseThrow(() -> new LocalServerException(
                "running as root, so servers must run as account '" + account.name()
                        + "', but setpriv (util-linux) is not on PATH to switch to it"));
        return new ProcessLauncher(Optional.of(account), Optional.of(setpriv));
    }

    /**
     * Starts a long-running server process with its output appended to {@code logFile}. The process gets SIGKILL
     * when this JVM ends.
     */
    Process startServer(List<String> command, Path workDir, Path logFile) {
        ProcessBuilder builder = new ProcessBuilder(withPrefix(command, true))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        cleanEnvironment(builder.environment());
        Future<Process> started = SPAWNER.submit(builder::start);
        try {
            return started.get();
        } catch (ExecutionException e) {
            throw new LocalServerException("could not start " + command.get(0), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while starting " + command.get(0), e);
        }
    }

    /** Runs a short command to completion and returns its exit code and output. */
    CommandResult run(List<String> command, Path workDir, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("sluice-command-", ".log");
            ProcessBuilder builder = new ProcessBuilder(withPrefix(command, false))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            cleanEnvironment(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LocalServerException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + " s; output:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new CommandResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LocalServerException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                deleteIfExists(output);
            }
        }
    }

    /** The account processes run as, when it is not the current user. */
    Optional<OsAccount> account() {
        return account;
    }

    private List<String> withPrefix(List<String> command, boolean dieWithThisJvm) {
        List<String> full = new ArrayList<>();
        boolean switchAccount = account.isPresent();
        if (setpriv.isPresent() && (switchAccount || dieWithThisJvm)) {
            full.add(setpriv.get().toString());
            account.ifPresent(a -> {
                full.add("--reuid=" + a.uid());
                full.add("--regid=" + a.gid());
                full.add("--clear-groups");
            });
            if (dieWithThisJvm) {
                // setpriv sets the signal after switching account: a credential change would otherwise clear it.
                full.add("--pdeathsig");
                full.add("KILL");
            }
            full.add("--");
        }
        full.addAll(command);
        return full;
    }

    private static void cleanEnvironment(Map<String, String> environment) {
        INHERITED_VARIABLES_TO_DROP.forEach(environment::remove);
        // libpq and pg_ctl read PGDATA, PGPORT, PGHOST and friends; the launcher passes everything explicitly.
        environment.keySet().removeIf(name -> name.startsWith("PG"));
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
