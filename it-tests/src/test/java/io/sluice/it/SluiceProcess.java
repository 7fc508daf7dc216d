package io.sluice.it;

import io.sluice.it.support.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Runs the packaged {@code sluice.jar} the way users do, as a separate process. */
public final class SluiceProcess {
    /** What a finished run printed and how it ended. */
    record Outcome(int exitCode, String output, long millis) {
    }

    private SluiceProcess() {
    }

    static Path jar() {
        String jar = System.getProperty("sluice.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("sluice.jar not found (" + jar + "); run through Maven: mvn verify");
        }
        return Path.of(jar);
    }

    static ProcessBuilder builder(Map<String, String> env, String... args) {
        return command(env, List.of(java()), args);
    }

    /**
     * Starts {@code sluice args} with its output in {@code log}. Where {@code setpriv} exists the kernel kills the
     * process when the thread that started it ends ({@code --pdeathsig KILL}), so a test JVM that is killed leaves
     * no Sluice behind retrying against servers that died with it; start it from the test's own thread.
     */
    public static Process startTiedToThisThread(Path log, String... args) throws IOException {
        return startTiedToThisThread(log, List.of(), args);
    }

    /** As {@link #startTiedToThisThread(Path, String...)}, with options for the JVM, e.g. {@code -Xmx256m}. */
    public static Process startTiedToThisThread(Path log, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> prefix = new ArrayList<>(Executables.onPath("setpriv")
                .map(setpriv -> List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"))
                .orElse(List.of()));
        prefix.add(java());
        prefix.addAll(jvmOptions);
        return command(Map.of(), prefix, args).redirectOutput(log.toFile()).start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -jar sluice.jar args}, where {@code java} is the command up to and including the JVM's options. */
    private static ProcessBuilder command(Map<String, String> env, List<String> java, String... args) {
        List<String> command = new ArrayList<>(java);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs to completion, failing the test if it takes longer than {@code timeoutSeconds}. */
    static Outcome run(Map<String, String> env, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = builder(env, args).start();
        return await(process, timeoutSeconds, start);
    }

    /**
     * Runs to completion on a terminal of its own (through util-linux {@code script}), as when a person types the
     * command, with {@code typed} as what the person types.
     */
    static Outcome runOnTerminal(String typed, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        String command = builder(Map.of(), args).command().stream()
                .map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        long start = System.nanoTime();
        Process process = new ProcessBuilder("script", "--quiet", "--return", "--command", command, "/dev/null")
                .redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(typed.getBytes(StandardCharsets.UTF_8));
        }
        return await(process, timeoutSeconds, start);
    }

    private static Outcome await(Process process, long timeoutSeconds, long start) throws InterruptedException {
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = ("<unreadable output: " + e.getMessage() + ">").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join();
            throw new AssertionError("sluice did not exit within " + timeoutSeconds + "s; output:\n"
                    + new String(output[0], StandardCharsets.UTF_8));
        }
        reader.join();
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Outcome(process.exitValue(), new String(output[0], StandardCharsets.UTF_8), millis);
    }
}
