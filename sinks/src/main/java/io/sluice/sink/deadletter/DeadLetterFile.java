package io.sluice.sink.deadletter;

import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.codec.DeadLetterJson;
import io.sluice.sink.codec.StoredDeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The dead letters of a {@link FileDeadLetterQueue}'s file, read back for {@code sluice dead-letters}. Listing reads
 * the file as it is, even while the pipeline appends to it. A replay holds the file's lock throughout, so it never
 * runs beside the pipeline (or another replay): it refuses to start while they hold the file, and a pipeline that
 * starts meanwhile waits for it. It reads the whole file, replays the letters of one sink, and then replaces the
 * file atomically with every other line as it was and the letters that failed again (with their new reason and
 * time); a replay that stops half-way (the sink went down) still replaces it, settling the batches it finished. A
 * replay killed before that changes nothing, and replaying again is harmless (sinks are idempotent).
 *
 * <p>Lines that cannot be read are kept as they are and reported, never dropped. A torn last line (a write that
 * never completed, so its event was dead-lettered again after a restart) is ignored, and dropped by a replay.
 */
public final class DeadLetterFile implements DeadLetterStore {
    private final String pipeline;
    private final Path path;
    private final Clock clock;
    private final DeadLetterJson json = new DeadLetterJson();

    public DeadLetterFile(String pipeline, Path path, Clock clock) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.path = Objects.requireNonNull(path, "path");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One complete line: its text, and the letter it holds, or why it cannot be read. */
    private record Line(int number, byte[] text, StoredDeadLetter letter, String problem) {
        boolean isOf(String pipeline, Collection<String> sinks) {
            return letter != null && letter.letter().pipeline().equals(pipeline)
                    && sinks.contains(letter.letter().sink());
        }
    }

    @Override
    public String describe() {
        return "dead-letter file " + path;
    }

    /** Nothing to prepare: a missing file holds no letters, and a replay locks the file itself. */
    @Override
    public void open() {
    }

    @Override
    public void forEachPending(Collection<String> sinks, Consumer<StoredDeadLetter> each, Consumer<String> unreadable)
            throws DeadLetterStoreException {
        for (Line line : read()) {
            if (line.problem() != null) {
                unreadable.accept(describe() + ", line " + line.number() + ": " + line.problem());
            } else if (line.isOf(pipeline, sinks)) {
                each.accept(line.letter());
            }
        }
    }

    @Override
    public void replay(String sink, int batchSize, Replayer replayer)
            throws DeadLetterStoreException, SinkException, InterruptedException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        try (DeadLetterFileLock lock = lock()) {
            replayLocked(sink, batchSize, replayer);
        }
    }

    /**
     * @throws DeadLetterStoreException when the pipeline or another replay holds the file
     */
    private DeadLetterFileLock lock() throws DeadLetterStoreException {
        try {
            return DeadLetterFileLock.tryAcquire(path).orElseThrow(() -> new DeadLetterStoreException(describe()
                    + " is in use: pipeline '" + pipeline + "' is running, or another replay is. Stop it first: a"
                    + " replay rewrites the file, and letters appended meanwhile would be lost. Nothing changed."
                    + " (Lock: " + DeadLetterFileLock.of(path) + ")"));
        } catch (IOException e) {
            throw new DeadLetterStoreException("cannot lock " + describe() + ": " + e.getMessage(), e);
        }
    }

    private void replayLocked(String sink, int batchSize, Replayer replayer)
            throws DeadLetterStoreException, SinkException, InterruptedException {
        List<Line> lines = read();
        List<Line> selected = lines.stream().filter(line -> line.isOf(pipeline, Set.of(sink))).toList();
        Set<Integer> settled = new HashSet<>();
        Map<Integer, byte[]> failedAgain = new HashMap<>();
        try {
            for (int from = 0; from < selected.size(); from += batchSize) {
                List<Line> batch = selected.subList(from, Math.min(selected.size(), from + batchSize));
                List<DeadLetter> rejected = replayer.apply(batch.stream().map(line -> line.letter().letter()).toList());
                settle(batch, rejected, settled, failedAgain);
            }
        } catch (SinkException | InterruptedException | RuntimeException e) {
            try {
                rewrite(lines, settled, failedAgain);
            } catch (DeadLetterStoreException rewriteFailed) {
                e.addSuppressed(rewriteFailed);
            }
            throw e;
        }
        rewrite(lines, settled, failedAgain);
    }

    /** Marks the batch's lines settled; the letters rejected again get their new line. */
    private void settle(List<Line> batch, List<DeadLetter> rejected, Set<Integer> settled,
            Map<Integer, byte[]> failedAgain) {
        List<Line> open = new ArrayList<>(batch);
        for (DeadLetter again : rejected) {
            for (int i = 0; i < open.size(); i++) {
                if (open.get(i).letter().letter().event().equals(again.event())) {
                    failedAgain.put(open.remove(i).number(), json.encode(again, clock.instant()));
                    break;
                }
            }
        }
        batch.forEach(line -> settled.add(line.number()));
    }

    /** Replaces the file: settled lines removed or, when they failed again, replaced; every other line kept. */
    private void rewrite(List<Line> lines, Set<Integer> settled, Map<Integer, byte[]> failedAgain)
            throws DeadLetterStoreException {
        if (settled.isEmpty()) {
            return;
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (Line line : lines) {
            byte[] text = failedAgain.containsKey(line.number()) ? failedAgain.get(line.number())
                    : settled.contains(line.number()) ? null : line.text();
            if (text != null) {
                content.writeBytes(text);
                content.write('\n');
            }
        }
        try {
            DeadLetterFiles.replace(path, content.toByteArray());
        } catch (IOException e) {
            throw new DeadLetterStoreException("cannot rewrite " + describe() + " (it is unchanged, so the letters"
                    + " just replayed are still in it; replaying them again is harmless): " + e.getMessage(), e);
        }
    }

    /** Every complete line of the file; none when there is no file. */
    private List<Line> read() throws DeadLetterStoreException {
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new DeadLetterStoreException("cannot read " + describe() + ": " + e.getMessage(), e);
        }
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                lines.add(line(lines.size() + 1, Arrays.copyOfRange(content, start, i)));
                start = i + 1;
            }
        }
        return lines;
    }

    private Line line(int number, byte[] text) {
        try {
            return new Line(number, text, json.decode(text), null);
        } catch (IllegalArgumentException e) {
            return new Line(number, text, null, e.getMessage());
        }
    }

    @Override
    public void close() {
        // A replay releases the lock when it ends; nothing else is held.
    }
}
