package io.sluice.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ByteSize;
import io.sluice.engine.debezium.ReplicationSlot;
import io.sluice.engine.debezium.StoredPosition;
import io.sluice.engine.event.Lsn;
import java.io.IOException;
import java.util.Locale;

/** How {@code sluice offsets show} prints a {@link PipelineOffsets}: aligned text for people, or JSON. */
final class OffsetsReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOT_STORED = "-";

    private OffsetsReport() {
    }

    /** The pipeline as indented lines, ending with a line break. */
    static String text(PipelineOffsets p, String configFile) {
        Lines out = new Lines();
        out.heading("pipeline '" + p.name() + "'");
        out.field(1, "offsets store", p.store());
        if (p.stored().isEmpty()) {
            out.field(1, "stored position", "none (never started, or offsets cleared)");
        } else {
            StoredPosition s = p.stored().get();
            out.field(1, "stored position", "resume at " + lsn(s.resumeLsn()));
            out.field(2, "LSN", lsn(s.lsn()));
            out.field(2, "commit LSN", lsn(s.commitLsn()));
            out.field(2, "processed LSN", lsn(s.processedLsn()));
            out.field(2, "transaction", s.txId() == null ? NOT_STORED : s.txId().toString());
            out.field(2, "source time", s.sourceTime() == null ? NOT_STORED
                    : s.sourceTime() + " (when the last change read was committed)");
            out.field(2, "saved at", p.savedAt().map(Object::toString).orElse("not recorded by this store"));
            out.field(2, "snapshot", s.snapshotInProgress() ? "in progress (" + s.snapshot().toLowerCase(Locale.ROOT)
                    + "); it starts over on the next start" : "none in progress");
        }
        String slotName = "'" + p.source().slot() + "' on " + p.source().address();
        if (p.slot() == null) {
            out.field(1, "replication slot", slotName);
            out.field(2, "state", "unknown: " + p.slotError());
        } else if (!p.slot().exists()) {
            out.field(1, "replication slot", slotName + " does not exist");
        } else {
            ReplicationSlot slot = p.slot();
            out.field(1, "replication slot", slotName);
            out.field(2, "exists", "yes (" + slot.slotType() + ", plugin " + slot.plugin() + ", database "
                    + slot.database() + ")");
            out.field(2, "active", slot.active() ? "yes (PostgreSQL process " + slot.activePid() + ")" : "no");
            out.field(2, "confirmed LSN", lsn(slot.confirmedFlushLsn()));
            out.field(2, "restart LSN", lsn(slot.restartLsn()));
            out.field(2, "WAL status", slot.walStatus() == null ? NOT_STORED : slot.walStatus()
                    + (slot.invalidationReason() == null ? "" : " (" + slot.invalidationReason() + ")"));
            out.field(2, "retained WAL", slot.retainedWalBytes().isPresent()
                    ? bytes(slot.retainedWalBytes().getAsLong()) : NOT_STORED);
            out.field(2, "server WAL LSN", lsn(slot.currentWalLsn()));
        }
        out.field(1, "next start", p.nextStart(configFile));
        return out.toString();
    }

    /** The pipeline as a JSON object; LSNs appear both as text and as numbers ({@code *_num}). */
    static ObjectNode json(PipelineOffsets p, String configFile) {
        ObjectNode node = JSON.createObjectNode();
        node.put("pipeline", p.name());
        node.put("store", p.store());
        if (p.stored().isEmpty()) {
            node.putNull("stored");
        } else {
            StoredPosition s = p.stored().get();
            ObjectNode stored = node.putObject("stored");
            putLsn(stored, "lsn", s.lsn());
            putLsn(stored, "commit_lsn", s.commitLsn());
            putLsn(stored, "processed_lsn", s.processedLsn());
            stored.put("tx_id", s.txId());
            stored.put("source_time", s.sourceTime() == null ? null : s.sourceTime().toString());
            stored.put("saved_at", p.savedAt().map(Object::toString).orElse(null));
            stored.put("snapshot_in_progress", s.snapshotInProgress());
            stored.put("key", s.key());
            stored.set("value", parse(s.value()));
        }
        ObjectNode slot = node.putObject("slot");
        slot.put("name", p.source().slot());
        slot.put("server", p.source().address());
        slot.put("known", p.slot() != null);
        if (p.slot() == null) {
            slot.put("error", p.slotError());
        } else {
            ReplicationSlot s = p.slot();
            slot.put("exists", s.exists());
            if (s.exists()) {
                slot.put("type", s.slotType());
                slot.put("plugin", s.plugin());
                slot.put("database", s.database());
                slot.put("active", s.active());
                slot.put("active_pid", s.activePid());
                putLsn(slot, "confirmed_flush_lsn", s.confirmedFlushLsn());
                putLsn(slot, "restart_lsn", s.restartLsn());
                slot.put("wal_status", s.walStatus());
                slot.put("invalidation_reason", s.invalidationReason());
                if (s.retainedWalBytes().isPresent()) {
                    slot.put("retained_wal_bytes", s.retainedWalBytes().getAsLong());
                } else {
                    slot.putNull("retained_wal_bytes");
                }
            }
            putLsn(slot, "server_wal_lsn", s.currentWalLsn());
        }
        node.put("next_start", p.nextStart(configFile));
        node.put("problem", p.problem().map(e -> e.messageFor(configFile)).orElse(null));
        return node;
    }

    static ObjectNode jsonFailure(String pipeline, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("pipeline", pipeline);
        node.put("error", message);
        return node;
    }

    static ObjectMapper mapper() {
        return JSON;
    }

    /** {@code 16/B374D848 (97500387400)}, as PostgreSQL prints it and as Debezium stores it. */
    static String lsn(long lsn) {
        return Lsn.format(lsn) + " (" + lsn + ")";
    }

    /** Like {@link #lsn(long)}, or {@code -} for a field that was not stored or reported. */
    static String lsn(Long lsn) {
        return lsn == null ? NOT_STORED : lsn(lsn.longValue());
    }

    static String bytes(long bytes) {
        return bytes < 1024 ? bytes + " bytes" : ByteSize.readable(bytes) + " (" + bytes + " bytes)";
    }

    private static void putLsn(ObjectNode node, String field, Long lsn) {
        node.put(field, lsn == null ? null : Lsn.format(lsn));
        node.put(field + "_num", lsn);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    /** Label-value lines with the values aligned. */
    private static final class Lines {
        private static final int LABEL_WIDTH = 20;
        private final StringBuilder text = new StringBuilder();

        void heading(String heading) {
            text.append(heading).append('\n');
        }

        void field(int depth, String label, String value) {
            String indent = "  ".repeat(depth);
            String padded = String.format(Locale.ROOT, "%-" + (LABEL_WIDTH - indent.length()) + "s", label);
            String continuation = "\n" + " ".repeat(LABEL_WIDTH + 1);
            String line = indent + padded + ' ' + value.replace("\n", continuation);
            text.append(line.stripTrailing()).append('\n');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
