package io.sluice.it.crash;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Writes a random load to {@code orders} and {@code progress} over one connection, one transaction at a time, and
 * remembers every committed transaction: its changes, its {@code seq} and two WAL positions around its commit.
 *
 * <p>Every transaction holds 1 to 50 inserts, updates and deletes of {@code orders} (the same row may change several
 * times in one transaction) and sets {@code progress.seq} to its own number, so a sink's copy of the progress row
 * says which transactions it has. Ids come from a fixed range and come back after a delete; {@code rev} grows with
 * every change of an id across deletes and re-inserts, so (id, rev) names one change for good.
 *
 * <p>A lost connection (PostgreSQL restarting) is retried until it comes back; the progress row then tells whether
 * the interrupted transaction committed, and only a committed transaction is counted. The writer pauses when it
 * reaches the budget the test allows ({@link #allowUpTo}) and can be paced to a rate.
 */
final class LoadWriter implements AutoCloseable {
    enum Kind { INSERT, UPDATE, DELETE }

    /**
     * One change of an {@code orders} row as written. For a delete, {@code rev} is the deleted row's revision and the
     * other columns are its last values.
     */
    record Change(long id, long rev, Kind kind, String status, BigDecimal amount, String note) {
        Change deleted() {
            return new Change(id, rev, Kind.DELETE, status, amount, note);
        }
    }

    /**
     * A committed transaction.
     *
     * @param seq        the value it gave {@code progress.seq}: 1, 2, 3... in commit order
     * @param lowerBound {@code pg_current_wal_insert_lsn()} inside the transaction just before COMMIT: its commit
     *                   record starts after it
     * @param upperBound {@code pg_current_wal_insert_lsn()} after COMMIT returned: at or after the end of its commit
     *                   record (read after a reconnect when the commit's answer was lost, still an upper bound)
     */
    record Transaction(long seq, long lowerBound, long upperBound, List<Change> changes) {
    }

    /** Connections to the database the load goes to. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    static final String SCHEMA = """
            CREATE TABLE orders (id bigint PRIMARY KEY, rev int NOT NULL, status text, amount numeric(12,2), note text);
            ALTER TABLE orders REPLICA IDENTITY FULL;
            CREATE TABLE progress (id int PRIMARY KEY, seq bigint NOT NULL);
            INSERT INTO progress VALUES (1, 0)""";
    private static final int MAX_CHANGES_PER_TRANSACTION = 50;
    private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "returned", "cancelled"};
    private static final String[] NOTES = {"leave at the door", "fragile", "gift: \"happy birthday\"", "Grüße",
            "call before delivery", "2nd floor, ring twice"};
    /** How long the writer keeps trying to reach PostgreSQL before it gives up. */
    private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RECONNECT_INTERVAL = Duration.ofMillis(200);

    private final Connector connector;
    private final long totalChanges;
    private final double changesPerSecond;
    private final Random random;
    private final Rows rows;
    private final List<Transaction> committed = new ArrayList<>();
    private final Thread thread;
    private long allowed;
    private long written;
    private int reconnects;
    private volatile Exception failure;
    private volatile boolean closed;

    /**
     * @param idSpace          ids are 1..idSpace
     * @param changesPerSecond the pace, or {@link Double#POSITIVE_INFINITY} to write as fast as PostgreSQL takes it
     */
    LoadWriter(Connector connector, long totalChanges, int idSpace, double changesPerSecond, long seed) {
        this.connector = connector;
        this.totalChanges = totalChanges;
        this.changesPerSecond = changesPerSecond;
        this.random = new Random(seed);
        this.rows = new Rows(idSpace);
        this.thread = new Thread(this::run, "crash-load-writer");
        this.thread.setDaemon(true);
    }

    /** Inserts rows 1..count (rev 1) before the pipeline starts: the snapshot's data, not counted as changes. */
    void seed(int count) throws SQLException {
        try (Connection c = connector.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO orders SELECT g, 1, 'new', g * 1.25, NULL FROM generate_series(1, " + count
                    + ") g");
        }
        for (long id = 1; id <= count; id++) {
            rows.remember(new Change(id, rows.insert(id), Kind.INSERT, "new", BigDecimal.valueOf(id * 125, 2), null));
        }
    }

    void start() {
        thread.start();
    }

    /** Lets the writer go on until it committed at least {@code changes} changes in all (or the total). */
    synchronized void allowUpTo(long changes) {
        allowed = Math.max(allowed, Math.min(changes, totalChanges));
        notifyAll();
    }

    /** Waits until every change is written; fails, saying how far it got, if that takes over {@code timeout}. */
    void awaitDone(Duration timeout) throws InterruptedException {
        allowUpTo(totalChanges);
        thread.join(timeout.toMillis());
        rethrowFailure();
        if (thread.isAlive()) {
            throw new AssertionError("the load writer did not finish within " + timeout.toSeconds() + " s: "
                    + progress());
        }
    }

    /** Waits until at least {@code changes} changes are committed. */
    void awaitWritten(long changes, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (writtenChanges() < changes) {
            rethrowFailure();
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the load writer did not reach " + changes + " changes within "
                        + timeout.toSeconds() + " s: " + progress());
            }
            Thread.sleep(50);
        }
    }

    synchronized long writtenChanges() {
        return written;
    }

    /** Every committed transaction so far, in commit order. */
    synchronized List<Transaction> transactions() {
        return List.copyOf(committed);
    }

    synchronized Optional<Transaction> last() {
        return committed.isEmpty() ? Optional.empty() : Optional.of(committed.get(committed.size() - 1));
    }

    synchronized int reconnects() {
        return reconnects;
    }

    synchronized String progress() {
        return written + " of " + totalChanges + " changes in " + committed.size() + " transactions, " + reconnects
                + " reconnects";
    }

    private void rethrowFailure() {
        if (failure != null) {
            throw new AssertionError("the load writer failed after " + progress() + ": " + failure.getMessage(),
                    failure);
        }
    }

    private void run() {
        Instant start = Instant.now();
        Session session = null;
        try {
            long seq = 0;
            while (writtenChanges() < totalChanges && !closed) {
                awaitBudget();
                pace(start);
                int size = (int) Math.min(1 + random.nextInt(MAX_CHANGES_PER_TRANSACTION),
                        totalChanges - writtenChanges());
                List<Change> plan = plan(size);
                seq++;
                Outcome outcome = commitUntilDone(session, seq, plan);
                session = outcome.session();
                synchronized (this) {
                    committed.add(outcome.transaction());
                    written += plan.size();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        } finally {
            if (session != null) {
                session.close();
            }
        }
    }

    private synchronized void awaitBudget() throws InterruptedException {
        while (written >= allowed && !closed) {
            wait(200);
        }
    }

    private void pace(Instant start) throws InterruptedException {
        if (Double.isInfinite(changesPerSecond)) {
            return;
        }
        long due = (long) (writtenChanges() / changesPerSecond * 1000);
        long elapsed = Duration.between(start, Instant.now()).toMillis();
        if (due > elapsed) {
            Thread.sleep(due - elapsed);
        }
    }

    /** The next transaction's changes, applied to the model at once: a transaction is retried until it commits. */
    private List<Change> plan(int size) {
        List<Change> plan = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Kind kind = nextKind();
            long id = kind == Kind.INSERT ? rows.randomFree(random) : rows.randomLive(random);
            String status = STATUSES[random.nextInt(STATUSES.length)];
            BigDecimal amount = BigDecimal.valueOf(random.nextInt(10_000_000), 2);
            String note = random.nextInt(3) == 0 ? null : NOTES[random.nextInt(NOTES.length)];
            if (kind == Kind.DELETE) {
                plan.add(rows.lastWritten(id).deleted());
                rows.delete(id);
            } else {
                long rev = kind == Kind.INSERT ? rows.insert(id) : rows.update(id);
                Change change = new Change(id, rev, kind, status, amount, note);
                rows.remember(change);
                plan.add(change);
            }
        }
        return plan;
    }

    /** Inserts while fewer than half the ids are in use, deletes more when more are; updates are the most common. */
    private Kind nextKind() {
        if (rows.liveCount() == 0) {
            return Kind.INSERT;
        }
        boolean fewRows = rows.liveCount() < rows.idSpace() / 2;
        int dice = random.nextInt(100);
        if (dice < (fewRows ? 40 : 20) && rows.liveCount() < rows.idSpace()) {
            return Kind.INSERT;
        }
        return dice < 80 ? Kind.UPDATE : Kind.DELETE;
    }

    private record Outcome(Session session, Transaction transaction) {
    }

    /** Commits the transaction, reconnecting and retrying it for as long as PostgreSQL is unreachable. */
    private Outcome commitUntilDone(Session session, long seq, List<Change> plan)
            throws SQLException, InterruptedException {
        while (true) {
            long[] lowerBound = {-1};
            try {
                if (session == null) {
                    session = new Session(connector.connect());
                }
                session.write(seq, plan, lowerBound);
                return new Outcome(session, new Transaction(seq, lowerBound[0], session.insertLsn(), plan));
            } catch (SQLException e) {
                if (!isConnectionFailure(e)) {
                    throw new SQLException("transaction " + seq + " failed: " + e.getMessage(), e);
                }
                if (session != null) {
                    session.close();
                }
                synchronized (this) {
                    reconnects++;
                }
                session = reconnect(seq);
                long stored = session.progressSeq();
                if (stored == seq) {
                    // It committed; only the answer was lost. The insert position now is still past its commit.
                    return new Outcome(session, new Transaction(seq, lowerBound[0], session.insertLsn(), plan));
                }
                if (stored != seq - 1) {
                    throw new IllegalStateException("after reconnecting, progress.seq is " + stored
                            + " while transaction " + seq + " was in flight; expected " + (seq - 1) + " or " + seq);
                }
            }
        }
    }

    private Session reconnect(long seq) throws InterruptedException, SQLException {
        Instant deadline = Instant.now().plus(RECONNECT_TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline) && !closed) {
            try {
                return new Session(connector.connect());
            } catch (SQLException e) {
                if (!isConnectionFailure(e)) {
                    throw e;
                }
                last = e;
            }
            Thread.sleep(RECONNECT_INTERVAL.toMillis());
        }
        throw new SQLException("PostgreSQL stayed unreachable for " + RECONNECT_TIMEOUT.toSeconds()
                + " s while transaction " + seq + " waited to be retried", last);
    }

    /** Connection errors (class 08) and server shutdown or start-up (57P01..57P03) are worth a retry. */
    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    /** Stops the writer where it is (a transaction in flight is rolled back by the closed connection). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection with its prepared statements. */
    private static final class Session {
        private final Connection connection;
        private final PreparedStatement insert;
        private final PreparedStatement update;
        private final PreparedStatement delete;
        private final PreparedStatement progress;
        private final PreparedStatement insertLsn;

        Session(Connection connection) throws SQLException {
            this.connection = connection;
            try {
                connection.setAutoCommit(false);
                insert = connection.prepareStatement(
                        "INSERT INTO orders (id, rev, status, amount, note) VALUES (?, ?, ?, ?, ?)");
                update = connection.prepareStatement(
                        "UPDATE orders SET rev = ?, status = ?, amount = ?, note = ? WHERE id = ? AND rev = ?");
                delete = connection.prepareStatement("DELETE FROM orders WHERE id = ? AND rev = ?");
                progress = connection.prepareStatement("UPDATE progress SET seq = ? WHERE id = 1");
                insertLsn = connection.prepareStatement("SELECT pg_current_wal_insert_lsn() - '0/0'");
            } catch (SQLException e) {
                close();
                throw e;
            }
        }

        void write(long seq, List<Change> plan, long[] lowerBound) throws SQLException {
            for (Change change : plan) {
                int rows = switch (change.kind()) {
                    case INSERT -> {
                        insert.setLong(1, change.id());
                        insert.setLong(2, change.rev());
                        insert.setString(3, change.status());
                        insert.setBigDecimal(4, change.amount());
                        insert.setString(5, change.note());
                        yield insert.executeUpdate();
                    }
                    case UPDATE -> {
                        update.setLong(1, change.rev());
                        update.setString(2, change.status());
                        update.setBigDecimal(3, change.amount());
                        update.setString(4, change.note());
                        update.setLong(5, change.id());
                        update.setLong(6, change.rev() - 1);
                        yield update.executeUpdate();
                    }
                    case DELETE -> {
                        delete.setLong(1, change.id());
                        delete.setLong(2, change.rev());
                        yield delete.executeUpdate();
                    }
                };
                if (rows != 1) {
                    throw new IllegalStateException("the writer's model of orders is wrong: " + change + " changed "
                            + rows + " rows");
                }
            }
            progress.setLong(1, seq);
            progress.executeUpdate();
            lowerBound[0] = insertLsn();
            connection.commit();
        }

        /** The WAL insert position; commits the read-only transaction it opens. */
        long insertLsn() throws SQLException {
            try (ResultSet rs = insertLsn.executeQuery()) {
                rs.next();
                long lsn = rs.getLong(1);
                connection.commit();
                return lsn;
            }
        }

        long progressSeq() throws SQLException {
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("SELECT seq FROM progress WHERE id = 1")) {
                rs.next();
                long seq = rs.getLong(1);
                connection.commit();
                return seq;
            }
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                // The connection is broken or gone; nothing is left to release.
            }
        }
    }

    /** The writer's model of {@code orders}: which ids hold a row, and each id's last revision and values. */
    private static final class Rows {
        private final int idSpace;
        private final long[] lastRev;
        private final Change[] lastWritten;
        /** Live ids in [0, liveCount) and free ids after, with each id's index, for O(1) random picks. */
        private final long[] ids;
        private final int[] indexOf;
        private int liveCount;

        Rows(int idSpace) {
            this.idSpace = idSpace;
            this.lastRev = new long[idSpace + 1];
            this.lastWritten = new Change[idSpace + 1];
            this.ids = new long[idSpace];
            this.indexOf = new int[idSpace + 1];
            for (int i = 0; i < idSpace; i++) {
                ids[i] = i + 1;
                indexOf[i + 1] = i;
            }
        }

        int idSpace() {
            return idSpace;
        }

        int liveCount() {
            return liveCount;
        }

        long randomLive(Random random) {
            return ids[random.nextInt(liveCount)];
        }

        long randomFree(Random random) {
            return ids[liveCount + random.nextInt(idSpace - liveCount)];
        }

        /** Marks {@code id} live; returns its new revision. */
        long insert(long id) {
            swap(indexOf[(int) id], liveCount++);
            return ++lastRev[(int) id];
        }

        long update(long id) {
            return ++lastRev[(int) id];
        }

        void delete(long id) {
            swap(indexOf[(int) id], --liveCount);
        }

        void remember(Change change) {
            lastWritten[(int) change.id()] = change;
        }

        Change lastWritten(long id) {
            return lastWritten[(int) id];
        }

        private void swap(int i, int j) {
            long a = ids[i];
            long b = ids[j];
            ids[i] = b;
            ids[j] = a;
            indexOf[(int) b] = i;
            indexOf[(int) a] = j;
        }
    }
}
