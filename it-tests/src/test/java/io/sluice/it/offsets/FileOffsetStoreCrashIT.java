package io.sluice.it.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.offsets.file.FileOffsetStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL in the middle of saving offsets leaves a file that loads, holding the last save it
 * reported or the one it was in the middle of: never a torn file, never an older one.
 *
 * <p>A child JVM ({@link FileOffsetSaverMain}) saves with growing LSNs in a tight loop and prints each LSN once its
 * save returned; it is killed at a random moment, the file is loaded, and the next child continues from there.
 * {@code -Dsluice.crash.cycles=N} sets how many kills (default 50). This proves atomicity against a process crash;
 * durability against a power loss (the fsyncs) cannot be shown without cutting the machine's power.
 */
class FileOffsetStoreCrashIT {
    private static final int CYCLES = Integer.getInteger("sluice.crash.cycles", 50);
    /** How long after its first report a child may live; the saves in between are what the kill can land on. */
    private static final int MAX_KILL_DELAY_MS = 40;
    private static final PipelineId PIPELINE = new PipelineId("crash");
    private static final Pattern OFFSET = Pattern.compile("\\{\"lsn\":(\\d+),\"lsn_proc\":\\1}");

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesTheLastReportedSaveOrTheOneInProgress() throws Exception {
        Path file = dir.resolve("crash.offsets");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long next = 1;
        int caughtBetweenSaveAndReport = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            Path output = dir.resolve("child-" + cycle + ".out");
            Path errors = dir.resolve("child-" + cycle + ".err");
            Process child = startSaver(file, next, output, errors);
            try {
                awaitFirstReport(child, output, errors);
                Thread.sleep(random.nextInt(MAX_KILL_DELAY_MS + 1));
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed child exited").isTrue();
            }
            long reported = lastReport(output);

            long stored = lsnOf(new FileOffsetStore(file, Clock.systemUTC()).load(PIPELINE));

            assertThat(stored).as("cycle %d of %d (seed %d): last reported %d", cycle, CYCLES, seed, reported)
                    .isIn(reported, reported + 1);
            caughtBetweenSaveAndReport += stored == reported + 1 ? 1 : 0;
            next = stored + 1;
        }
        System.out.printf("%d kills, %d saves in all, %d kills between a save and its report (seed %d)%n", CYCLES,
                next - 1, caughtBetweenSaveAndReport, seed);
    }

    /**
     * The child's output goes to a file rather than a pipe: the JDK closes a dead child's pipe under a reader that
     * is still reading it, losing the last lines, while a file keeps every line whose write returned.
     */
    private static Process startSaver(Path file, long firstLsn, Path output, Path errors) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A small, quick-starting JVM: it lives for a fraction of a second.
        return new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), FileOffsetSaverMain.class.getName(),
                file.toString(), PIPELINE.name(), Long.toString(firstLsn)))
                .redirectOutput(output.toFile())
                .redirectError(errors.toFile())
                .start();
    }

    private static void awaitFirstReport(Process child, Path output, Path errors) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.size(output) == 0) {
            assertThat(child.isAlive()).as(() -> "child is saving; its errors:\n" + read(errors)).isTrue();
            assertThat(System.nanoTime() - deadline).as("child reported a save within 30 s").isNegative();
            Thread.sleep(2);
        }
    }

    /** The last LSN the child reported: its last whole line (a write cut by the kill is no report). */
    private static long lastReport(Path output) throws IOException {
        String text = Files.readString(output, StandardCharsets.US_ASCII);
        String whole = text.substring(0, text.lastIndexOf('\n'));
        return Long.parseLong(whole.substring(whole.lastIndexOf('\n') + 1).strip());
    }

    /** The one offset the child writes, whose two LSNs agree: a mixed or torn write would not match. */
    private static long lsnOf(SourceOffsets offsets) {
        assertThat(offsets.entries()).hasSize(1);
        Matcher offset = OFFSET.matcher(offsets.entries().values().iterator().next());
        assertThat(offset.matches()).as("offset %s as the child writes it", offset).isTrue();
        return Long.parseLong(offset.group(1));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
