package io.sluice.sink.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.TestEvents;
import io.sluice.sink.codec.DeadLetterJson;
import io.sluice.sink.codec.StoredDeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterFileTest {
    private static final Clock THEN = Clock.fixed(Instant.parse("2026-11-22T10:15:31Z"), ZoneOffset.UTC);
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC);
    private final DeadLetterJson json = new DeadLetterJson();

    @TempDir
    Path dir;

    private final DeadLetter es1 = letter("elasticsearch", 1, "mapping conflict");
    private final DeadLetter redis2 = letter("redis", 2, "WRONGTYPE");
    private final DeadLetter es3 = letter("elasticsearch", 3, "mapping conflict");
    private final DeadLetter es4 = letter("elasticsearch", 4, "mapping conflict");

    @Test
    void replayRemovesTheLettersThatApplyAndKeepsTheRestInPlace() throws Exception {
        Path file = write(es1, redis2, es3, es4);
        Files.writeString(file, Files.readString(file) + "not a letter\n");

        try (DeadLetterFile store = new DeadLetterFile("orders", file, NOW)) {
            store.open();
            store.replay("elasticsearch", 2, batch -> batch.stream()
                    .filter(l -> l.event().key().columns().get("id").equals(3))
                    .map(l -> new DeadLetter(l.pipeline(), l.sink(), l.event(), "still a mapping conflict"))
                    .toList());
        }

        assertThat(Files.readAllLines(file)).containsExactly(line(redis2, THEN),
                line(new DeadLetter("orders", "elasticsearch", es3.event(), "still a mapping conflict"), NOW),
                "not a letter");
    }

    @Test
    void aReplayThatStopsSettlesTheBatchesBeforeAndKeepsTheRest() throws Exception {
        Path file = write(es1, es3, es4);
        List<Integer> tried = new ArrayList<>();

        try (DeadLetterFile store = new DeadLetterFile("orders", file, NOW)) {
            store.open();
            assertThatThrownBy(() -> store.replay("elasticsearch", 1, batch -> {
                tried.add(batch.size());
                if (tried.size() == 2) {
                    throw new SinkException("sink elasticsearch is down");
                }
                return List.of();
            })).isInstanceOf(SinkException.class).hasMessage("sink elasticsearch is down");
        }

        assertThat(tried).containsExactly(1, 1);
        assertThat(Files.readAllLines(file)).containsExactly(line(es3, THEN), line(es4, THEN));
    }

    @Test
    void listingNamesUnreadableLinesAndChangesNothing() throws Exception {
        Path file = write(es1, redis2);
        Files.writeString(file, Files.readString(file) + "{\"pipeline\":\n" + line(letter("kafka#2", 5, "x"), THEN)
                + "\n{\"torn");
        String before = Files.readString(file);
        List<StoredDeadLetter> pending = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();

        try (DeadLetterFile store = new DeadLetterFile("orders", file, NOW)) {
            store.open();
            store.forEachPending(Set.of("elasticsearch", "redis"), pending::add, unreadable::add);
        }

        assertThat(pending).extracting(p -> p.letter().sink()).containsExactly("elasticsearch", "redis");
        assertThat(pending).extracting(StoredDeadLetter::failedAt).containsOnly(THEN.instant());
        assertThat(unreadable).containsExactly("dead-letter file " + file + ", line 3: not valid JSON at byte 13");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void theFileCanBeListedButNotReplayedWhileThePipelineHoldsIt() throws Exception {
        Path file = write(es1);
        List<StoredDeadLetter> pending = new ArrayList<>();
        try (FileDeadLetterQueue running = new FileDeadLetterQueue("orders", file, THEN);
                DeadLetterFile store = new DeadLetterFile("orders", file, NOW)) {
            running.open();
            store.open();

            store.forEachPending(Set.of("elasticsearch"), pending::add, problem -> { });
            assertThatThrownBy(() -> store.replay("elasticsearch", 10, batch -> List.of()))
                    .isInstanceOf(DeadLetterStoreException.class)
                    .hasMessageContaining("dead-letter file " + file + " is in use: pipeline 'orders' is running");
        }

        assertThat(pending).hasSize(1);
        assertThat(Files.readAllLines(file)).containsExactly(line(es1, THEN));
    }

    @Test
    void aPipelineStartingDuringAReplayWaitsForIt() throws Exception {
        Path file = write(es1);
        FileDeadLetterQueue starting = new FileDeadLetterQueue("orders", file, THEN);
        try (DeadLetterFile store = new DeadLetterFile("orders", file, NOW)) {
            store.replay("elasticsearch", 10, batch -> {
                assertThatThrownBy(starting::open).isInstanceOf(RetriableSinkException.class)
                        .hasMessageContaining("the file is in use by another process");
                return List.of();
            });
        }

        starting.open();
        starting.close();
        assertThat(Files.readAllLines(file)).isEmpty();
    }

    @Test
    void aMissingFileHoldsNothing() throws Exception {
        List<StoredDeadLetter> pending = new ArrayList<>();
        try (DeadLetterFile store = new DeadLetterFile("orders", dir.resolve("none.jsonl"), NOW)) {
            store.open();
            store.forEachPending(Set.of("redis"), pending::add, problem -> { });
            store.replay("redis", 10, batch -> List.of());
        }

        assertThat(pending).isEmpty();
        assertThat(dir.resolve("none.jsonl")).doesNotExist();
    }

    private Path write(DeadLetter... letters) throws Exception {
        Path file = dir.resolve("orders.jsonl");
        try (FileDeadLetterQueue queue = new FileDeadLetterQueue("orders", file, THEN)) {
            queue.open();
            queue.write(List.of(letters));
        }
        return file;
    }

    private String line(DeadLetter letter, Clock clock) {
        return new String(json.encode(letter, clock.instant()), StandardCharsets.UTF_8);
    }

    private static DeadLetter letter(String sink, int id, String error) {
        return new DeadLetter("orders", sink, new ChangeEvent(TestEvents.ORDERS, Op.INSERT,
                new Key(TestEvents.columns("id", id)), null, Row.of(TestEvents.columns("id", id)), Set.of(),
                TestEvents.position(100 + id, 200 + id, 7L), 200 + id), error);
    }
}
