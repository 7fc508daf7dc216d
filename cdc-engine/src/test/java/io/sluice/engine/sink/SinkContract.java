package io.sluice.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.WriteResult.EventFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one battery of tests every {@link Sink} runs against a real server: it writes everything, replays as a no-op,
 * lets the newer version win, applies the events of a row in order, deletes for good, handles truncates as it
 * defines them, survives a server restart and closes idempotently.
 *
 * <h2>Writing a subclass</h2>
 * A sink's IT extends this class, starts its server once per class, and provides:
 * <ul>
 *   <li>{@link #openSink()}: a new, opened sink per test (the contract closes it after the test);</li>
 *   <li>{@link #readState}: what the target holds for a table, as an idempotent consumer sees it;</li>
 *   <li>{@link #stopServer()} and {@link #restartServer()}, for the restart test;</li>
 *   <li>{@link #assertTruncateApplied}: what the sink does with a truncate.</li>
 * </ul>
 * The contract's tests are {@code final}: a sink runs all of them or is not a Sluice sink. Each test writes to its
 * own tables, all in database {@value #DATABASE} and schema {@value #SCHEMA} with a lower-case name unique to the
 * test, so tests never see each other's rows; a subclass whose server outlives one run should put a run-specific
 * prefix into its index, topic or key names.
 *
 * <h2>Values</h2>
 * Every key and row value the contract writes is a {@link String} or a {@link Long}. {@link #readState} must give
 * them back as those types (e.g. JSON integers as {@code Long}), so rows compare equal to what was written.
 *
 * <h2>Timing</h2>
 * Every check reads the state right after {@code write} returned: a sink acknowledges only what its server holds
 * durably, and {@link #readState} must see it then (refresh an index first if the target needs that). Nothing
 * here sleeps, except between attempts of the bounded retry loop of the restart test.
 */
public abstract class SinkContract {
    /** The database of every table the contract writes. */
    protected static final String DATABASE = "sluice";
    /** The schema of every table the contract writes. */
    protected static final String SCHEMA = "contract";

    /** How long the restart test keeps retrying a write once the server is back (the Dispatcher would never stop). */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private Sink sink;

    /**
     * What a target holds for one row: the version of the change applied last and the row it left, or for a delete,
     * {@code null}.
     *
     * @param version the {@link ChangeEvent#version()} of the event the row state comes from
     * @param row     the whole row (key columns included) as the event's after image had it; {@code null} when the
     *                event deleted the row
     */
    public record StoredRow(long version, Row row) {
        public static StoredRow present(long version, Row row) {
            return new StoredRow(version, Objects.requireNonNull(row, "row"));
        }

        public static StoredRow deleted(long version) {
            return new StoredRow(version, null);
        }

        public boolean isDeleted() {
            return row == null;
        }
    }

    /** A new sink, opened and ready to write to the running server. The contract closes it after the test. */
    protected abstract Sink openSink() throws Exception;

    /**
     * What the target holds for the rows of a table, as an idempotent consumer would see it: per primary key, the
     * state left by the event with the highest version (on a tie, the one applied last).
     *
     * <p>A delete is a state (the row is gone as of that version): report it as {@link StoredRow#deleted}. A target
     * that cannot remember deleted rows (an index that drops the document) may leave the key out instead; the contract
     * accepts an absent key wherever it expects a deleted row. Rows of other tables must not appear. A truncate is not
     * a row state; what it does is checked by {@link #assertTruncateApplied}.
     */
    protected abstract Map<Key, StoredRow> readState(TableId table) throws Exception;

    /** Stops the server the sinks write to, keeping its data; returns when it no longer answers. */
    protected abstract void stopServer() throws Exception;

    /** Starts the stopped server again at the same address with the same data; returns when it answers again. */
    protected abstract void restartServer() throws Exception;

    /**
     * Checks what a truncate did, as this sink defines it (e.g. removed every row of the table, or recorded the
     * truncate for consumers and left the rows). Called right after the truncate was written and reported applied.
     *
     * @param truncate the truncate event that was written
     * @param before   {@link #readState} just before the truncate was written
     * @param after    {@link #readState} just after
     */
    protected abstract void assertTruncateApplied(ChangeEvent truncate, Map<Key, StoredRow> before,
            Map<Key, StoredRow> after) throws Exception;

    // Protected, not package-private: subclasses live in other packages, and JUnit runs inherited lifecycle methods
    // only where they are visible to the subclass.
    @BeforeEach
    protected final void openTheSink() throws Exception {
        sink = openSink();
    }

    @AfterEach
    protected final void closeTheSink() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    public final void writesEveryEventOfABatch() throws Exception {
        TableId orders = table("write_orders");
        // Two key columns, each repeating across rows: a sink that keyed by one column alone would merge rows.
        TableId lines = table("write_order_lines");
        List<ChangeEvent> batch = new ArrayList<>();
        Map<Key, StoredRow> expectedOrders = new HashMap<>();
        Map<Key, StoredRow> expectedLines = new HashMap<>();
        long version = 1_000;
        for (long order = 1; order <= 100; order++) {
            ChangeEvent insert = EventBuilder.insert(orders).key("id", order)
                    .column("status", "new").column("amount_cents", order * 125).version(++version).build();
            batch.add(insert);
            expectedOrders.put(insert.key(), StoredRow.present(insert.version(), insert.after()));
            for (long line = 1; line <= 3; line++) {
                ChangeEvent lineInsert = EventBuilder.insert(lines).key("order_id", order).key("line", line)
                        .column("sku", "sku-" + order + "-" + line).version(version).build();
                batch.add(lineInsert);
                expectedLines.put(lineInsert.key(), StoredRow.present(lineInsert.version(), lineInsert.after()));
            }
        }

        writeAll(batch);

        assertState(orders, expectedOrders);
        assertState(lines, expectedLines);
    }

    @Test
    public final void replayOfTheSameBatchLeavesTheSameFinalState() throws Exception {
        TableId items = table("replay_items");
        List<ChangeEvent> batch = new ArrayList<>();
        for (long id = 1; id <= 20; id++) {
            batch.add(EventBuilder.insert(items).key("id", id).column("name", "item " + id).version(100 + id).build());
        }
        for (long id = 1; id <= 10; id++) {
            batch.add(EventBuilder.update(items).key("id", id).column("name", "renamed " + id).version(200 + id)
                    .build());
        }
        for (long id = 15; id <= 17; id++) {
            batch.add(EventBuilder.delete(items).key("id", id).version(300 + id).build());
        }
        batch.add(EventBuilder.update(items).key("id", 3L).column("name", "renamed twice").version(400).build());
        Map<Key, StoredRow> expected = appliedByVersion(batch);
        // Spot checks, so the expectation does not rest on appliedByVersion alone.
        assertThat(expected).hasSize(20)
                .containsEntry(key("id", 3L), StoredRow.present(400, row("id", 3L, "name", "renamed twice")))
                .containsEntry(key("id", 12L), StoredRow.present(112, row("id", 12L, "name", "item 12")))
                .containsEntry(key("id", 16L), StoredRow.deleted(316));

        writeAll(batch);
        assertState(items, expected);

        // A crash before the offset commit replays the whole batch...
        writeAll(batch);
        assertState(items, expected);

        // ...or, after a partial commit, a suffix of it.
        writeAll(batch.subList(batch.size() / 2, batch.size()));
        assertState(items, expected);
    }

    @Test
    public final void olderVersionAfterNewerDoesNotWin() throws Exception {
        TableId accounts = table("older_after_newer");
        // The older version is a snapshot read positioned after the change that replaced what it read: the snapshot
        // race of ARCHITECTURE.md. Its LSN is the later one, so only the version tells which change is newer.
        ChangeEvent newer = EventBuilder.update(accounts).key("id", 1L).column("status", "paid")
                .version(200).lsn(150).build();
        ChangeEvent older = EventBuilder.read(accounts).key("id", 1L).column("status", "new").version(180).build();
        ChangeEvent newerInBatch = EventBuilder.update(accounts).key("id", 2L).column("status", "paid")
                .version(210).build();
        ChangeEvent olderInBatch = EventBuilder.insert(accounts).key("id", 2L).column("status", "new")
                .version(110).build();

        writeAll(List.of(newer));
        // An older version is "already applied": a success, not a failure (writeAll checks there is none).
        writeAll(List.of(older));
        writeAll(List.of(newerInBatch, olderInBatch));

        assertState(accounts, Map.of(
                key("id", 1L), StoredRow.present(200, row("id", 1L, "status", "paid")),
                key("id", 2L), StoredRow.present(210, row("id", 2L, "status", "paid"))));
    }

    @Test
    public final void newerVersionWinsOverAnOlderOneWithALaterLsn() throws Exception {
        TableId accounts = table("newer_with_older_lsn");
        // The snapshot race in its usual arrival order: the snapshot read first, then the change that committed
        // after the snapshot but was logged before it. A sink comparing LSNs would keep the stale read forever.
        ChangeEvent snapshotRead = EventBuilder.read(accounts).key("id", 1L).column("status", "new")
                .version(180).build();
        ChangeEvent committedLater = EventBuilder.update(accounts).key("id", 1L).column("status", "paid")
                .version(200).lsn(150).build();

        writeAll(List.of(snapshotRead));
        writeAll(List.of(committedLater));

        assertState(accounts, Map.of(key("id", 1L), StoredRow.present(200, row("id", 1L, "status", "paid"))));
    }

    @Test
    public final void eventsOfOneRowInOneBatchApplyInOrder() throws Exception {
        TableId orders = table("one_transaction");
        long tx = 500;
        // One transaction: every event has the same version, so only their order decides; the interleaved row 2
        // checks that order is kept per row, not merely for the batch's first key.
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(orders).key("id", 1L).column("status", "new").version(tx).lsn(401).build(),
                EventBuilder.insert(orders).key("id", 2L).column("status", "new").version(tx).lsn(402).build(),
                EventBuilder.update(orders).key("id", 1L).column("status", "paid").version(tx).lsn(403).build(),
                EventBuilder.update(orders).key("id", 2L).column("status", "cancelled").version(tx).lsn(404).build(),
                EventBuilder.update(orders).key("id", 1L).column("status", "shipped").version(tx).lsn(405).build());

        writeAll(batch);

        assertState(orders, Map.of(
                key("id", 1L), StoredRow.present(tx, row("id", 1L, "status", "shipped")),
                key("id", 2L), StoredRow.present(tx, row("id", 2L, "status", "cancelled"))));
    }

    @Test
    public final void deleteRemovesTheRowAndReplayedOlderUpsertDoesNotResurrectIt() throws Exception {
        TableId carts = table("delete_for_good");
        ChangeEvent insert = EventBuilder.insert(carts).key("id", 1L).column("items", 3L).version(100).build();
        ChangeEvent update = EventBuilder.update(carts).key("id", 1L).column("items", 4L).version(150).build();
        ChangeEvent kept = EventBuilder.insert(carts).key("id", 2L).column("items", 1L).version(101).build();
        writeAll(List.of(insert, kept, update));

        writeAll(List.of(EventBuilder.delete(carts).key("id", 1L).version(200).build()));
        Map<Key, StoredRow> afterDelete = Map.of(
                key("id", 1L), StoredRow.deleted(200),
                key("id", 2L), StoredRow.present(101, row("id", 2L, "items", 1L)));
        assertState(carts, afterDelete);

        // A replay of the changes before the delete (their offsets were never committed) must not bring it back.
        writeAll(List.of(insert, update));
        assertState(carts, afterDelete);
    }

    @Test
    public final void truncateIsAppliedAsTheSinkDefinesIt() throws Exception {
        TableId sessions = table("truncated");
        List<ChangeEvent> rows = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            rows.add(EventBuilder.insert(sessions).key("id", id).column("user_name", "user " + id)
                    .version(100 + id).build());
        }
        writeAll(rows);
        Map<Key, StoredRow> before = readState(sessions);
        assertThat(before).as("rows written before the truncate").hasSize(3);

        ChangeEvent truncate = EventBuilder.truncate(sessions).version(200).build();
        // Whatever a sink makes of a truncate, it must not refuse it: that would stop every pipeline whose table
        // gets truncated.
        writeAll(List.of(truncate));
        assertTruncateApplied(truncate, before, readState(sessions));

        // The table goes on living after the truncate.
        ChangeEvent after = EventBuilder.insert(sessions).key("id", 4L).column("user_name", "user 4")
                .version(300).build();
        writeAll(List.of(after));
        assertThat(readState(sessions)).as("state of %s after an insert that followed the truncate", sessions)
                .containsEntry(after.key(), StoredRow.present(300, after.after()));
    }

    @Test
    public final void survivesAServerRestart() throws Exception {
        TableId payments = table("server_restart");
        List<ChangeEvent> beforeStop = new ArrayList<>();
        for (long id = 1; id <= 10; id++) {
            beforeStop.add(EventBuilder.insert(payments).key("id", id).column("state", "authorized")
                    .version(100 + id).build());
        }
        List<ChangeEvent> whileDown = new ArrayList<>();
        for (long id = 1; id <= 15; id++) {
            EventBuilder change = id <= 10 ? EventBuilder.update(payments) : EventBuilder.insert(payments);
            whileDown.add(change.key("id", id).column("state", "captured").version(200 + id).build());
        }
        writeAll(beforeStop);

        stopServer();
        try {
            assertWriteFailsRetriably(whileDown);
        } finally {
            // Even when the assertion fails: the other tests of the class share the server.
            restartServer();
        }
        writeUntilApplied(whileDown);

        List<ChangeEvent> all = new ArrayList<>(beforeStop);
        all.addAll(whileDown);
        Map<Key, StoredRow> expected = appliedByVersion(all);
        assertThat(expected).hasSize(15).allSatisfy((key, stored) ->
                assertThat(stored.row().get("state")).isEqualTo("captured"));
        assertState(payments, expected);
    }

    @Test
    public final void closeIsIdempotent() throws Exception {
        TableId notes = table("close_twice");
        ChangeEvent insert = EventBuilder.insert(notes).key("id", 1L).column("text", "kept").version(100).build();
        writeAll(List.of(insert));

        sink.close();
        // The runtime may close from a shutdown path and from the pipeline's own close: neither may throw.
        sink.close();

        // What was acknowledged before the close stays acknowledged.
        assertState(notes, Map.of(insert.key(), StoredRow.present(100, insert.after())));

        Sink neverUsed = openSink();
        neverUsed.close();
        neverUsed.close();
    }

    /** Writes with the test's sink and checks every event was applied. */
    private void writeAll(List<ChangeEvent> batch) throws Exception {
        WriteResult result = sink.write(batch);
        assertThat(result.failures()).as("events the sink reported as not applied").isEmpty();
    }

    /** While the server is down, nothing can be acknowledged, and every failure must say "try again later". */
    private void assertWriteFailsRetriably(List<ChangeEvent> batch) throws Exception {
        WriteResult result;
        try {
            result = sink.write(batch);
        } catch (RetriableSinkException expected) {
            // The SPI's answer when no event of the batch could be written.
            return;
        }
        assertThat(result.failures()).as("failures of a write while the server is down")
                .isNotEmpty()
                .allMatch(EventFailure::retriable);
    }

    /**
     * Retries as the Dispatcher does (the whole batch after a {@link RetriableSinkException}, only the failed events
     * after retriable event failures) until everything is applied, within {@link #RECOVERY_TIMEOUT}.
     */
    private void writeUntilApplied(List<ChangeEvent> batch) throws Exception {
        Instant deadline = Instant.now().plus(RECOVERY_TIMEOUT);
        List<ChangeEvent> pending = batch;
        while (true) {
            String problem;
            try {
                WriteResult result = sink.write(pending);
                if (result.isAllApplied()) {
                    return;
                }
                assertThat(result.failures()).as("failures of a write after the server restarted")
                        .allMatch(EventFailure::retriable);
                List<ChangeEvent> failed = new ArrayList<>();
                for (EventFailure failure : result.failures()) {
                    failed.add(pending.get(failure.index()));
                }
                pending = failed;
                problem = result.failures().get(0).reason();
            } catch (RetriableSinkException e) {
                problem = e.getMessage();
            }
            if (Instant.now().isAfter(deadline)) {
                fail("the sink still could not write " + RECOVERY_TIMEOUT.toSeconds()
                        + " s after the server restarted: " + problem);
            }
            Thread.sleep(RETRY_PAUSE.toMillis());
        }
    }

    /** Reads the table's state and compares it with the expected one, taking an absent key as a deleted row. */
    private void assertState(TableId table, Map<Key, StoredRow> expected) throws Exception {
        Map<Key, StoredRow> actual = new HashMap<>(readState(table));
        expected.forEach((key, stored) -> {
            if (stored.isDeleted() && !actual.containsKey(key)) {
                actual.put(key, stored);
            }
        });
        assertThat(actual).as("state of %s", table).isEqualTo(expected);
    }

    /**
     * The version rule as a reference: per key, an event replaces the stored state unless its version is older. This
     * is what every sink's target must end up holding.
     */
    private static Map<Key, StoredRow> appliedByVersion(List<ChangeEvent> events) {
        Map<Key, StoredRow> state = new LinkedHashMap<>();
        for (ChangeEvent event : events) {
            StoredRow next = event.isDelete() ? StoredRow.deleted(event.version())
                    : StoredRow.present(event.version(), event.after());
            state.merge(event.key(), next, (held, candidate) -> candidate.version() >= held.version() ? candidate : held);
        }
        return state;
    }

    private static TableId table(String name) {
        return new TableId(DATABASE, SCHEMA, name);
    }

    private static Key key(String column, Object value) {
        return new Key(Map.of(column, value));
    }

    private static Row row(String column1, Object value1, String column2, Object value2) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(column1, value1);
        values.put(column2, value2);
        return Row.of(values);
    }
}
