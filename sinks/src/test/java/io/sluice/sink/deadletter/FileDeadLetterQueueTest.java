package io.sluice.sink.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.sink.TestEvents;
import io.sluice.sink.codec.DeadLetterJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeadLetterQueueTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:15:31Z"), ZoneOffset.UTC);
    private final DeadLetterJson json = new DeadLetterJson();

    @TempDir
    Path dir;

    @Test
    void lettersAreAppendedOnePerLineInTheirOrder() throws Exception {
        Path file = dir.resolve("new/dir/orders.dead-letters.jsonl");
        DeadLetter first = new DeadLetter("orders", "elasticsearch", TestEvents.insert(1), "mapping conflict");
        DeadLetter second = new DeadLetter("orders", "redis", TestEvents.delete(2), "WRONGTYPE");
        DeadLetter third = new DeadLetter("orders", "redis", TestEvents.insert(3), "WRONGTYPE");

        try (FileDeadLetterQueue queue = new FileDeadLetterQueue("orders", file, CLOCK)) {
            queue.open();
            queue.write(List.of(first, second));
            queue.write(List.of(third));
        }
        try (FileDeadLetterQueue reopened = new FileDeadLetterQueue("orders", file, CLOCK)) {
            reopened.open();
            reopened.write(List.of(first));
        }

        assertThat(Files.readAllLines(file)).containsExactly(line(first), line(second), line(third), line(first));
    }

    @Test
    void aTornLastLineIsCutOffBeforeTheNextLetter() throws Exception {
        Path file = dir.resolve("orders.jsonl");
        DeadLetter letter = new DeadLetter("orders", "kafka", TestEvents.insert(1), "record too large");
        Files.writeString(file, line(letter) + "\n{\"pipeline\":\"orders\",\"si");

        try (FileDeadLetterQueue queue = new FileDeadLetterQueue("orders", file, CLOCK)) {
            queue.open();
            queue.write(List.of(letter));
        }

        assertThat(Files.readAllLines(file)).containsExactly(line(letter), line(letter));
    }

    @Test
    void aSecondUserOfTheFileWaitsUntilTheFirstClosed() throws Exception {
        Path file = dir.resolve("orders.jsonl");
        FileDeadLetterQueue second = new FileDeadLetterQueue("orders", file, CLOCK);
        try (FileDeadLetterQueue first = new FileDeadLetterQueue("orders", file, CLOCK)) {
            first.open();

            assertThatThrownBy(second::open).isInstanceOf(RetriableSinkException.class)
                    .hasMessageContaining("pipeline 'orders', dead-letter file " + file + ": the file is in use");
        }

        second.open();
        second.close();
    }

    private String line(DeadLetter letter) {
        return new String(json.encode(letter, CLOCK.instant()), StandardCharsets.UTF_8);
    }
}
