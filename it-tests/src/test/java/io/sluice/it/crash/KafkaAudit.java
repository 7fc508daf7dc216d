package io.sluice.it.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.crash.LoadWriter.Change;
import io.sluice.it.crash.LoadWriter.Kind;
import io.sluice.it.crash.LoadWriter.Transaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * Compares what reached Kafka with what the writer committed: every change at least once (an insert or update as a
 * record with its (id, rev) and the values written, a delete as a delete record carrying the deleted row's rev, every
 * transaction's progress update), no record of a change that was never written, and how many records repeat a change
 * already written, counted for the run of Sluice that wrote them.
 */
final class KafkaAudit {
    private static final int EXAMPLES = 10;

    /**
     * @param records               records read, tombstones included
     * @param snapshotReads         snapshot reads ({@code op} r), which are rows, not changes, and are not audited
     * @param changes               changes the writer committed, progress updates included
     * @param missing               changes with no record
     * @param unexpected            records that match no change, or carry other values than the change written
     * @param duplicates            records beyond the first of a change
     * @param duplicatesPerRun      those duplicates by the run of Sluice (process start to kill) that wrote them
     * @param medianDuplicatesPerRun median of {@code duplicatesPerRun}
     * @param maxDuplicatesPerRun   largest of {@code duplicatesPerRun}
     * @param incompleteTransactions seqs of the transactions with a change missing, as ranges ({@code 17-42})
     * @param progressPerRun        per run of Sluice, the range of progress seqs it wrote to Kafka
     */
    record Result(long records, long snapshotReads, long tombstones, long changes, long missing,
            List<String> missingExamples, long unexpected, List<String> unexpectedExamples, long duplicates,
            List<Integer> duplicatesPerRun, double medianDuplicatesPerRun, int maxDuplicatesPerRun,
            List<String> incompleteTransactions, List<String> progressPerRun) {
        boolean complete() {
            return missing == 0 && unexpected == 0;
        }
    }

    private KafkaAudit() {
    }

    /**
     * @param runEnds the end offsets of every partition read right after each kill, in order: run i wrote the
     *                offsets below {@code runEnds[i]} (and at or above {@code runEnds[i-1]}); the last run wrote
     *                the rest
     */
    static Result audit(List<Transaction> transactions, List<Received> records, String ordersTopic,
            String progressTopic, List<Map<TopicPartition, Long>> runEnds) {
        Map<String, Change> written = new HashMap<>();
        for (Transaction transaction : transactions) {
            written.put(progressKey(transaction.seq()), null);
            for (Change change : transaction.changes()) {
                written.put(orderKey(change.id(), change.rev(), change.kind()), change);
            }
        }
        Map<String, List<Received>> seen = new HashMap<>();
        List<String> unexpected = new ArrayList<>();
        long unexpectedCount = 0;
        long snapshotReads = 0;
        long tombstones = 0;
        for (Received record : records) {
            if (record.isTombstone()) {
                tombstones++;
                continue;
            }
            if (record.op().equals("r")) {
                snapshotReads++;
                continue;
            }
            String key;
            String problem = null;
            if (record.topic().equals(progressTopic)) {
                key = progressKey(record.after().path("seq").asLong());
                if (!written.containsKey(key) || !record.op().equals("u")) {
                    problem = "no such transaction was committed";
                }
            } else if (record.topic().equals(ordersTopic) && kindOf(record.op()) != null) {
                Kind kind = kindOf(record.op());
                long id = record.key().path("id").asLong();
                JsonNode row = kind == Kind.DELETE ? record.before() : record.after();
                key = orderKey(id, row.path("rev").asLong(), kind);
                Change change = written.get(key);
                problem = change == null ? "no such change was written" : differences(change, row);
            } else {
                key = null;
                problem = "not a change the writer makes";
            }
            if (problem != null) {
                unexpectedCount++;
                if (unexpected.size() < EXAMPLES) {
                    unexpected.add(describe(record) + ": " + problem);
                }
                continue;
            }
            seen.computeIfAbsent(key, k -> new ArrayList<>(1)).add(record);
        }

        List<String> missing = new ArrayList<>();
        long missingCount = 0;
        List<Long> incomplete = new ArrayList<>();
        for (Transaction transaction : transactions) {
            boolean complete = true;
            List<String> keys = new ArrayList<>();
            keys.add(progressKey(transaction.seq()));
            transaction.changes().forEach(c -> keys.add(orderKey(c.id(), c.rev(), c.kind())));
            for (String key : keys) {
                if (!seen.containsKey(key)) {
                    complete = false;
                    missingCount++;
                    if (missing.size() < EXAMPLES) {
                        Change change = written.get(key);
                        missing.add("transaction " + transaction.seq() + ": " + key + (change == null ? ""
                                : " " + change));
                    }
                }
            }
            if (!complete) {
                incomplete.add(transaction.seq());
            }
        }

        int[] perRun = new int[runEnds.size() + 1];
        long duplicates = 0;
        for (List<Received> copies : seen.values()) {
            // All copies of a change share its key, hence its partition; the first by offset is the original.
            copies.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            for (Received copy : copies.subList(1, copies.size())) {
                perRun[runOf(copy, runEnds)]++;
                duplicates++;
            }
        }
        List<Integer> duplicatesPerRun = new ArrayList<>();
        for (int count : perRun) {
            duplicatesPerRun.add(count);
        }
        return new Result(records.size(), snapshotReads, tombstones, written.size(), missingCount, missing,
                unexpectedCount, unexpected, duplicates, duplicatesPerRun, median(perRun),
                duplicatesPerRun.stream().mapToInt(Integer::intValue).max().orElse(0), ranges(incomplete),
                progressPerRun(records, progressTopic, runEnds));
    }

    /** Which progress seqs each run wrote, e.g. {@code run 3: seq 120-388 (269 records)}. */
    private static List<String> progressPerRun(List<Received> records, String progressTopic,
            List<Map<TopicPartition, Long>> runEnds) {
        long[] first = new long[runEnds.size() + 1];
        long[] last = new long[runEnds.size() + 1];
        int[] count = new int[runEnds.size() + 1];
        java.util.Arrays.fill(first, -1);
        for (Received record : records) {
            if (record.topic().equals(progressTopic) && !record.isTombstone()) {
                int run = runOf(record, runEnds);
                long seq = record.after().path("seq").asLong();
                first[run] = count[run] == 0 ? seq : first[run];
                last[run] = seq;
                count[run]++;
            }
        }
        List<String> runs = new ArrayList<>();
        for (int run = 0; run < count.length; run++) {
            runs.add("run " + (run + 1) + ": " + (count[run] == 0 ? "nothing"
                    : "seq " + first[run] + "-" + last[run] + " (" + count[run] + " records)"));
        }
        return runs;
    }

    /** Ascending numbers as ranges: 1, 2, 3, 7 gives 1-3, 7. */
    private static List<String> ranges(List<Long> numbers) {
        List<String> ranges = new ArrayList<>();
        int i = 0;
        while (i < numbers.size()) {
            int j = i;
            while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) {
                j++;
            }
            ranges.add(i == j ? numbers.get(i).toString() : numbers.get(i) + "-" + numbers.get(j));
            i = j + 1;
        }
        return ranges;
    }

    private static String orderKey(long id, long rev, Kind kind) {
        return "orders id=" + id + " rev=" + rev + " " + kind;
    }

    private static String progressKey(long seq) {
        return "progress seq=" + seq;
    }

    /** The kind of change of a record's {@code op}; null for others (truncate). */
    private static Kind kindOf(String op) {
        return switch (op) {
            case "c" -> Kind.INSERT;
            case "u" -> Kind.UPDATE;
            case "d" -> Kind.DELETE;
            default -> null;
        };
    }

    /** Null when the record's row carries exactly the values the change wrote. */
    private static String differences(Change change, JsonNode row) {
        boolean same = row.path("id").asLong() == change.id()
                && Objects.equals(text(row.path("status")), change.status())
                && Objects.equals(text(row.path("amount")), change.amount().toPlainString())
                && Objects.equals(text(row.path("note")), change.note());
        return same ? null : "values differ from the change written: " + change;
    }

    private static String text(JsonNode value) {
        return value.isNull() || value.isMissingNode() ? null : value.asText();
    }

    private static int runOf(Received record, List<Map<TopicPartition, Long>> runEnds) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        for (int run = 0; run < runEnds.size(); run++) {
            if (record.offset() < runEnds.get(run).getOrDefault(partition, 0L)) {
                return run;
            }
        }
        return runEnds.size();
    }

    private static String describe(Received record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset() + " op " + record.op() + " key "
                + record.key() + " before " + record.before() + " after " + record.after();
    }

    private static double median(int[] values) {
        int[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }
}
